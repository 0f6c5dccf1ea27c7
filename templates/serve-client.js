/*
 * deckwright serve: keeps an open deck up to date while its sources are edited.
 *
 * Injected by `deckwright serve` only (never part of a normal build).  It listens
 * to the server's event stream.  After a rebuild it swaps the changed slides
 * into the running remark slideshow (a 2,000-slide deck takes seconds to load,
 * a few slides take milliseconds), then shows the first slide that changed in
 * the saved file.  When it cannot swap (a deck using layout/template slides, a
 * missed update, a template change) it reloads the page at that slide, keeping
 * presenter mode (remark's "#pN" hash); so does a tab that reconnects to a
 * restarted server, whose versions started again.  A failed build shows its errors over
 * the last good deck until the next good one.
 *
 * remark 0.14 does not expose its slide views, so two internal arrays are
 * reached by watching which array remark itself iterates; see internals().
 * The deck's own slides may not be filled yet (templates/remark.html fills them
 * as they are shown): changed slides are made whole here, and the deck fills
 * the ones around the slide shown after a swap.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var page = script.getAttribute('data-page');
  var version = Number(script.getAttribute('data-version'));
  var run = script.getAttribute('data-run');
  var eventsUrl = script.getAttribute('data-events');
  var api = window.remark;
  var originalCreate = null;
  var createOptions = null;
  var main = null;
  var hidden = null;
  var cache = null;
  var steps = null;  // how long the last swap's parts took (for bench/bench_serve.py)

  function now() {
    return performance.timeOrigin + performance.now();
  }

  // -- capture remark.create's options, to render changed slides the same way ------

  function wrap(value) {
    if (!value || value.__deckwrightServe || typeof value.create !== 'function') {
      return;
    }
    originalCreate = value.create;
    value.create = function (options, callback) {
      createOptions = options || {};
      main = originalCreate.call(this, options, callback);
      return main;
    };
    value.__deckwrightServe = true;
  }

  wrap(api);
  Object.defineProperty(window, 'remark', {
    configurable: true,
    enumerable: true,
    get: function () { return api; },
    set: function (value) { api = value; wrap(value); }
  });

  function slideshow() {
    return main || window.slideshow || null;
  }

  // -- remark's internal arrays ------------------------------------------------------

  // Call `fn` and return the first array on which remark calls `method` that
  // passes `test`.  slideshow.getSlides() maps over the slideshow's own slide
  // list; slideshow.update() iterates the view's slide views to rescale them.
  function captured(method, fn, test) {
    var original = Array.prototype[method];
    var found = null;
    Array.prototype[method] = function () {
      if (found === null && test(this)) {
        found = this;
      }
      return original.apply(this, arguments);
    };
    try {
      fn();
    } finally {
      Array.prototype[method] = original;
    }
    return found;
  }

  function internals(show) {
    var models = captured('map', function () { show.getSlides(); }, function (a) {
      return a.length === show.getSlideCount();
    });
    var views = captured('forEach', function () { show.update(); }, function (a) {
      return a.length > 0 && a[0] && a[0].scalingElement !== undefined && a[0].notesElement !== undefined;
    });
    if (!models || !views || models.length !== views.length) {
      return null;
    }
    return { models: models, views: views };
  }

  function mainInternals(show) {
    if (!cache || cache.show !== show || cache.models.length !== show.getSlideCount() ||
        cache.views.length !== cache.models.length) {
      var found = internals(show);
      cache = found && { show: show, models: found.models, views: found.views };
    }
    return cache;
  }

  // -- rendering changed slides off screen ----------------------------------------------

  function render(source) {
    if (!hidden) {
      var holder = document.createElement('div');
      holder.style.display = 'none';
      holder.setAttribute('aria-hidden', 'true');
      holder.className = 'deckwright-serve-scratch';
      var box = document.createElement('div');
      holder.appendChild(box);
      document.body.appendChild(holder);
      var options = {};
      for (var key in createOptions) {
        if (Object.prototype.hasOwnProperty.call(createOptions, key)) {
          options[key] = createOptions[key];
        }
      }
      delete options.sourceUrl;
      options.source = '';
      options.container = box;
      options.controller = {};  // no keyboard, no hash: this slideshow is never shown
      hidden = originalCreate.call(api, options);
    }
    hidden.loadFromString(source);
    var found = internals(hidden);
    if (!found) {
      return null;
    }
    forgetViews(found.views[0] && found.views[0].events);
    var result = {
      views: found.views.slice(),
      models: found.models.slice(),
      links: hidden.getLinks()
    };
    found.views.length = 0;  // the views move to the deck: the next render must not remove them
    return result;
  }

  // -- swapping slides in -------------------------------------------------------------

  function patch(event) {
    var show = slideshow();
    if (!show || !originalCreate || !createOptions) {
      return false;
    }
    var inside = mainInternals(show);
    if (!inside) {
      return false;
    }
    var views = inside.views, models = inside.models, hunks = event.patch;
    var removed = 0, added = 0, sources = [];
    hunks.forEach(function (h) {
      removed += h.remove;
      added += h.add;
      if (h.add > 0) {
        sources.push(h.markdown);
      }
    });
    if (models.length - removed + added !== event.total || views.length === 0) {
      return false;
    }
    var t0 = now();
    var fresh = sources.length ? render(sources.join('\n---\n')) : { views: [], models: [], links: {} };
    var t1 = now();
    if (!fresh || fresh.views.length !== added) {
      return false;
    }
    var area = views[0].containerElement.parentNode;
    var events = views[0].events, scaler = views[0].scaler;
    var before = show.getCurrentSlideIndex();
    var current = leaveRemovedEnd(show, before, event.total);
    var onScreen = views[current];  // it may move: remark would hide whatever is at `current`
    var oldTotal = models.length;
    var end = added;
    for (var k = hunks.length - 1; k >= 0; k--) {
      var h = hunks[k];
      var newViews = fresh.views.slice(end - h.add, end);
      var newModels = fresh.models.slice(end - h.add, end);
      end -= h.add;
      var next = views[h.start + h.remove];
      views.slice(h.start, h.start + h.remove).forEach(function (v) {
        area.removeChild(v.containerElement);
      });
      newViews.forEach(function (v) {
        v.slideshow = show;
        v.scaler = scaler;
        v.events = events;
        v.slideNumber.slideshow = show;
        area.insertBefore(v.containerElement, next ? next.containerElement : null);
      });
      Array.prototype.splice.apply(views, [h.start, h.remove].concat(newViews));
      Array.prototype.splice.apply(models, [h.start, h.remove].concat(newModels));
    }
    forgetViews(events);
    var first = hunks.length ? hunks[0].start : 0;
    reindex(models, first);
    renumber(show, views, models, models.length === oldTotal ? first : 0);
    var links = show.getLinks();
    for (var id in fresh.links) {
      if (Object.prototype.hasOwnProperty.call(fresh.links, id)) {
        links[id] = fresh.links[id];
      }
    }
    fresh.views.forEach(function (v) {
      v.scale(area);
    });
    if (onScreen) {
      onScreen.containerElement.classList.remove('remark-visible');
    }
    var t2 = now();
    var target = event.target;
    if (target === null || target === undefined) {
      target = moved(before, hunks);
    }
    target = Math.max(0, Math.min(target, models.length - 1));
    if (target === current) {
      events.emit('showSlide', target);  // redraws the slide, the preview and the notes
    } else {
      show.gotoSlide(target + 1);
    }
    steps = { render: t1 - t0, splice: t2 - t1, show: now() - t2, slides: added };
    return true;
  }

  // remark hides the slide at its current index before showing another: when that
  // index is past the end of the new deck, its view is gone after the swap and
  // hiding it throws, leaving the tab blank.  Moving first to the last index the
  // new deck keeps (while every view is still there) avoids it.  Returns the
  // index shown now.
  function leaveRemovedEnd(show, index, total) {
    if (index > total - 1) {
      show.gotoSlide(total);
    }
    return show.getCurrentSlideIndex();
  }

  // Every slide view listens to 'propertiesChanged', which remark 0.14 never emits;
  // dropping those listeners lets the views that were swapped out be collected.
  function forgetViews(events) {
    if (events && typeof events.removeAllListeners === 'function') {
      events.removeAllListeners('propertiesChanged');
    }
  }

  function reindex(models, from) {
    models.byName = models.byName || {};
    for (var name in models.byName) {
      if (Object.prototype.hasOwnProperty.call(models.byName, name)) {
        delete models.byName[name];
      }
    }
    models.forEach(function (model, i) {
      if (i >= from) {
        model.getSlideIndex = constant(i);
      }
      if (model.properties.name) {
        models.byName[model.properties.name] = model;
      }
    });
  }

  function constant(value) {
    return function () { return value; };
  }

  // remark numbers slides when it creates their views; swapped slides move the others.
  function renumber(show, views, models, from) {
    var format = show.getSlideNumberFormat();
    var total = 0;
    models.forEach(function (m) {
      if (m.properties.count !== 'false') {
        total += 1;
      }
    });
    total = Math.max(1, total);
    var number = 0;
    views.forEach(function (view, i) {
      if (models[i].properties.count !== 'false') {
        number += 1;
      }
      if (i < from) {
        return;
      }
      var current = Math.max(1, number);
      view.slideNumber.slide = models[i];
      view.slideNumber.element.innerHTML = typeof format === 'function'
        ? format.call(show, current, total)
        : String(format).replace('%current%', current).replace('%total%', total);
    });
  }

  // Where the slide that was on screen went, when the saved file changed nothing visible.
  function moved(index, hunks) {
    var shift = 0;
    for (var k = 0; k < hunks.length; k++) {
      var h = hunks[k];
      if (index < h.start) {
        break;
      }
      if (index < h.start + h.remove) {
        return h.start + shift + Math.min(index - h.start, Math.max(h.add - 1, 0));
      }
      shift += h.add - h.remove;
    }
    return index + shift;
  }

  // -- reloading ----------------------------------------------------------------------

  function reloadAt(target) {
    var show = slideshow();
    if (show) {
      var presenter = document.body.className.indexOf('remark-presenter-mode') >= 0;
      var slide = (target === null || target === undefined) ? show.getCurrentSlideIndex() : target;
      history.replaceState(history.state, '', '#' + (presenter ? 'p' : '') + (slide + 1));
    }
    location.reload();
  }

  // -- errors -------------------------------------------------------------------------

  // `gone`: the deck's manifest was renamed or deleted, and its page taken down.
  // The box `id` over the deck, made on first use with its role and look.
  function messageBox(id, role, style) {
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement('pre');
      box.id = id;
      box.setAttribute('role', role);
      box.style.cssText = 'position:fixed;left:0;right:0;margin:0;overflow:auto;white-space:pre-wrap;' + style;
      document.body.appendChild(box);
    }
    return box;
  }

  function showError(text, gone) {
    var box = messageBox('deckwright-serve-error', 'alert',
      'top:0;z-index:2147483647;max-height:60%;padding:1em 1.5em;' +
      'font:14px/1.4 monospace;color:#fff;background:rgba(150,20,20,0.94);' +
      'box-shadow:0 2px 8px rgba(0,0,0,0.4)');
    // A deck that never built has no slideshow: only the waiting page.
    var head = gone
      ? 'This deck is no longer served' + (slideshow() ? '; showing its last build.' : '.')
      : 'This deck did not build' + (slideshow() ? '; showing its last good build.' : ' yet.');
    box.textContent = head + '\n\n' + text;
  }

  function hideError() {
    hide('deckwright-serve-error');
  }

  function hide(id) {
    var box = document.getElementById(id);
    if (box) {
      box.parentNode.removeChild(box);
    }
  }

  // What serve's check of the saved chapters found (an unclosed `.class[`): the deck
  // built, so the box stays small, at the bottom, until the chapter is fixed.
  function showWarnings(text) {
    var box = messageBox('deckwright-serve-warnings', 'status',
      'bottom:0;z-index:2147483646;max-height:30%;padding:0.6em 1.5em;' +
      'font:13px/1.4 monospace;color:#222;background:rgba(255,214,110,0.95);' +
      'box-shadow:0 -2px 8px rgba(0,0,0,0.3)');
    box.textContent = 'Warnings about the chapters you saved:\n' + text;
  }

  // -- the event stream -----------------------------------------------------------------

  // Pictures saved again keep their URLs: ask for them anew, past the browser's cache.
  // Slides not filled yet (templates/remark.html fills them lazily) are filled first,
  // or they would show the old picture when filled.
  function refreshPictures(paths) {
    if (!paths.length) {
      return;
    }
    if (window.deckwrightLazy) {
      window.deckwrightLazy.fillAll();
    }
    var stamp = '?serve=' + Date.now();
    var wanted = {};
    paths.forEach(function (p) { wanted[p] = true; });
    Array.prototype.forEach.call(document.querySelectorAll('img[src]'), function (img) {
      var bare = img.getAttribute('src').split('?')[0];
      if (wanted[bare]) {
        img.setAttribute('src', bare + stamp);
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll('[style*="url("]'), function (el) {
      el.style.backgroundImage = el.style.backgroundImage.replace(
        /url\(["']?([^"')?]+)(\?[^"')]*)?["']?\)/g,
        function (match, bare) { return wanted[bare] ? 'url("' + bare + stamp + '")' : match; });
    });
  }

  function handle(event) {
    var received = now();
    if (event.errors) {
      showError(event.errors, event.gone);
    } else {
      hideError();
    }
    if (event.warnings) {
      showWarnings(event.warnings);
    } else if (!event.errors) {
      hide('deckwright-serve-warnings');
    }
    var pictures = event.pictures || [];
    if (event.run !== run) {
      // serve restarted: versions count from 1 again, so they say nothing of this page
      reloadAt(null);
      return;
    }
    if (event.version === undefined || event.version === version) {
      refreshPictures(pictures);
      return;
    }
    if (event.replay || event.base !== version || !event.patch || !patch(event)) {
      reloadAt(event.replay ? null : event.target);
      return;
    }
    version = event.version;
    refreshPictures(pictures);
    var applied = now();
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        window.deckwrightServeLast = {
          version: version,
          timing: event.timing || {},
          received: received,
          applied: applied,
          steps: steps,
          painted: now()
        };
      });
    });
  }

  function connect() {
    var url = eventsUrl + '?page=' + encodeURIComponent(page);
    var source = new EventSource(url);
    source.onmessage = function (message) {
      handle(JSON.parse(message.data));
    };
    window.deckwrightServe = { page: page, version: function () { return version; }, source: source };
  }

  if (document.readyState === 'complete') {
    connect();
  } else {
    window.addEventListener('load', connect);
  }
})();
