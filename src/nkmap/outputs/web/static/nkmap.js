/* nkmap: basemap, markers, labels, search, popups, filters, legend and the article view, built
 * from the data the page embeds once. Article text is untrusted: it only ever enters the page
 * through textContent / text nodes, never innerHTML. */
(function () {
  "use strict";
  var R_MIN = 3.5, R_MAX = 24;  // marker radius in pixels: area grows with mentions up to R_MAX
  var POPUP_ARTICLES = 8, POPUP_EXCERPTS = 3, MORE_EXCERPTS = 20;  // popup paging
  var LIST_ROWS = 100;  // filter lists show this many matching rows; the search box narrows them
  var SEARCH_RESULTS = 10;

  var shapes = {};  // ISO alpha-2 → basemap feature (GeoJSON), unpacked when first asked for: countryShape
  var packedBasemap = null, isoIndex = {};  // filled in by basemap()
  var countryLabels = [];  // [name, lon, lat, min_zoom], from the packed basemap

  /* phases of start-up, for bench/page.py (performance.getEntriesByType("mark")) */
  function mark(name) { if (window.performance && performance.mark) performance.mark(name); }

  function nkmapData(id) {
    var node = document.getElementById(id);
    var data = node ? JSON.parse(node.textContent) : null;
    mark(id + " parsed");
    return data;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function button(className, text, label) {
    var b = el("button", className, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(url || "") ? url : "";
  }

  /* lower case, accents off: "Ağdam" and "agdam" find each other */
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* "id" → "Indonesian (id)", where the browser knows the name; "" → "unknown" */
  var languageNames = null;
  function languageName(code) {
    if (!code) return "unknown";
    try {
      if (!languageNames && window.Intl && Intl.DisplayNames) {
        languageNames = new Intl.DisplayNames(["en"], { type: "language" });
      }
      var name = languageNames ? languageNames.of(code) : "";
      return name && name !== code ? name + " (" + code + ")" : code;
    } catch (e) { return code; }
  }

  /* 12345 → "12,345", as toLocaleString("en") writes it: its first call loads the locale (~20 ms at start-up) */
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function plural(n, word) { return num(n) + " " + word + (n === 1 ? "" : "s"); }

  function articleHash(article, start, end) {
    var hash = "#article=" + encodeURIComponent(article.name);
    return start === undefined ? hash : hash + "&start=" + start + "&end=" + end;
  }

  /* "#article=NAME&start=S&end=E" → {article, start, end}, or null. A crafted link ("%E0%A4%A",
     a lone "%") decodes to nothing instead of throwing: the page must start whatever the URL. */
  function parseHash(hash) {
    var out = {};
    String(hash || "").replace(/^#/, "").split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq < 0) return;
      var key = part.slice(0, eq), value = part.slice(eq + 1);
      try { value = decodeURIComponent(value); } catch (e) { return; }
      out[key] = value;
    });
    if (typeof out.article !== "string" || !out.article) return null;
    var start = /^\d{1,9}$/.test(out.start || "") ? +out.start : -1;
    var end = /^\d{1,9}$/.test(out.end || "") ? +out.end : -1;
    return { article: out.article, start: start, end: end };
  }

  /* text with [start, end) wrapped in <mark>, as DOM nodes */
  function highlighted(container, text, start, end) {
    container.appendChild(document.createTextNode(text.slice(0, start)));
    var mark = el("mark", "nkmap-hit", text.slice(start, end));
    container.appendChild(mark);
    container.appendChild(document.createTextNode(text.slice(end)));
    return mark;
  }

  /* see nkmap/basemap.py: shapes of integer steps of 1/scale degree, and their ISO codes; calls
     point(lon, lat, first) for each point of each ring and ring() after each ring */
  function walkShape(packed, k, point, ring) {
    var scale = packed.scale;
    packed.shapes[k].forEach(function (rings) {
      rings.forEach(function (steps) {
        var x = 0, y = 0;
        for (var i = 0; i < steps.length; i += 2) {
          x += steps[i]; y += steps[i + 1];
          point(x / scale, y / scale, i === 0);
        }
        ring();
      });
    });
  }
  /* the basemap's shape of a country as a GeoJSON feature (for the countries the articles name), or null */
  function countryShape(iso) {
    if (!iso || !packedBasemap || !Object.prototype.hasOwnProperty.call(isoIndex, iso)) return null;
    if (!shapes[iso]) {
      var k = isoIndex[iso];
      var coordinates = packedBasemap.shapes[k].map(function (rings) {
        return rings.map(function (steps) {
          var out = new Array(steps.length / 2), x = 0, y = 0;
          for (var i = 0; i < steps.length; i += 2) {
            x += steps[i]; y += steps[i + 1];
            out[i / 2] = [x / packedBasemap.scale, y / packedBasemap.scale];
          }
          return out;
        });
      });
      shapes[iso] = { type: "Feature", properties: { iso_a2: iso }, geometry: { type: "MultiPolygon", coordinates: coordinates } };
    }
    return shapes[iso];
  }

  /* The offline background, drawn on its own canvas in a pane below the tiles, so online tiles (if
     any) cover it when they load and it shows through when they don't. Each country is one Path2D in
     Web Mercator units of the whole world ([0, 1] both ways), made once; a redraw scales it to the
     zoom on the canvas (Leaflet's renderer places and sizes the canvas and animates zooms), where
     one Leaflet polygon per country re-projected all 70,000 points at every zoom: 0.1-0.25 s. */
  var BasemapCanvas = L.Canvas.extend({
    initialize: function (countries, style, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._countries = countries;  // [{iso, path: Path2D}]
      this._style = style;
    },
    _onZoomEnd: function () {},  // nothing to project
    _updatePaths: function () { if (!this._postponeUpdatePaths) this._redraw(); },
    _redraw: function () { this._redrawRequest = null; this._redrawBounds = null; this._clear(); this._draw(); },
    _draw: function () {
      var map = this._map, ctx = this._ctx, style = this._style;
      if (!map || !ctx) return;
      var scale = map.options.crs.scale(map.getZoom()), origin = map.getPixelOrigin();
      ctx.save();
      ctx.translate(-origin.x, -origin.y);  // the canvas is already translated to layer points
      ctx.scale(scale, scale);
      ctx.fillStyle = style.fillColor;
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.weight / scale;
      ctx.lineJoin = ctx.lineCap = "round";
      for (var i = 0; i < this._countries.length; i++) {
        ctx.fill(this._countries[i].path, "evenodd");
        ctx.stroke(this._countries[i].path);
      }
      ctx.restore();
    },
    /* the countries drawn, one entry each (as a layer group of polygons would list them) */
    getLayers: function () { return this._countries.slice(); },
  });

  var MAX_LAT = 85.0511287798;  // Leaflet's Web Mercator stops here

  function basemap(map, packed, attribution) {
    var pane = map.createPane("nkmap-basemap");
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    /* longitude, latitude → Web Mercator in [0, 1] (Leaflet's EPSG:3857 pixels at zoom 0, over 256) */
    var countries = packed.shapes.map(function (_, k) {
      var path = new Path2D();
      walkShape(packed, k, function (lon, lat, first) {
        var phi = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180;
        var x = 0.5 + lon / 360, y = 0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI);
        if (first) path.moveTo(x, y); else path.lineTo(x, y);
      }, function () { path.closePath(); });
      return { iso: packed.iso[k], path: path };
    });
    var layer = new BasemapCanvas(countries, { color: "#a8a29e", weight: 0.7, fillColor: "#f5f3ee" },
                                  { pane: "nkmap-basemap", padding: 0.3 });
    map.addLayer(layer);
    /* once for the map: as a layer option every country's polygon would add it, and the
       attribution control redraws itself each time (60 ms at start-up) */
    if (attribution && map.attributionControl) map.attributionControl.addAttribution(attribution);
    mark("basemap drawn");
    window.nkmapBasemapLayer = layer;
    countryLabels = packed.labels || [];
    /* country shapes by ISO code, so init() can shade the countries the articles name */
    packedBasemap = packed;
    shapes = {};
    isoIndex = {};
    packed.iso.forEach(function (iso, k) { if (iso) isoIndex[iso] = k; });
    return layer;
  }

  /* A filter list that stays fast with 50,000 entries: its state is an array, the DOM holds only
     the first LIST_ROWS rows matching the search box, and All / None act on what matches. */
  function filterList(title, items, onChange, searchable) {
    var on = items.map(function () { return true; });
    var box = el("fieldset", "nkmap-checks");
    box.appendChild(el("legend", null, title));
    var query = "";
    var keys = null;  // folded labels, made on the first search
    var search = null;
    if (searchable) {
      var tools = el("div", "nkmap-list-tools");
      search = el("input", "nkmap-list-search");
      search.type = "search";
      search.placeholder = "Search " + title.toLowerCase();
      search.setAttribute("aria-label", "Search " + title.toLowerCase());
      tools.appendChild(search);
      var all = button("nkmap-all", "All", "Select every " + title.toLowerCase() + " shown");
      var none = button("nkmap-none", "None", "Clear every " + title.toLowerCase() + " shown");
      tools.appendChild(all);
      tools.appendChild(none);
      box.appendChild(tools);
      search.addEventListener("input", function () { query = fold(search.value.trim()); render(); });
      all.addEventListener("click", function () { setMatching(true); });
      none.addEventListener("click", function () { setMatching(false); });
    }
    var list = el("div", "nkmap-list");
    box.appendChild(list);
    var note = el("div", "nkmap-list-note");
    box.appendChild(note);

    function matching() {
      if (!query) return items.map(function (_, i) { return i; });
      if (!keys) keys = items.map(function (item) { return fold(item.label + " " + (item.sub || "")); });
      var out = [];
      for (var i = 0; i < items.length; i++) if (keys[i].indexOf(query) >= 0) out.push(i);
      return out;
    }
    function setMatching(value) {
      matching().forEach(function (i) { on[i] = value; });
      render();
      onChange();
    }
    function render() {
      var rows = matching();
      list.textContent = "";
      rows.slice(0, LIST_ROWS).forEach(function (i) {
        var item = items[i];
        var label = el("label");
        var input = el("input");
        input.type = "checkbox"; input.checked = on[i]; input.value = item.key;
        input.addEventListener("change", function () { on[i] = input.checked; onChange(); });
        label.appendChild(input);
        label.appendChild(el("span", null, item.label));
        if (item.sub) label.appendChild(el("small", null, " " + item.sub));
        label.title = item.label;
        list.appendChild(label);
      });
      note.textContent = rows.length > LIST_ROWS ? "and " + plural(rows.length - LIST_ROWS, "more") +
        (searchable ? ": type to narrow" : "") : (rows.length ? "" : "none match");
    }
    render();
    return { node: box, on: on, render: render, search: search };
  }

  /* first view: the places themselves, not the capitals that stand for whole countries; set
     before the basemap and the markers are added, so each is projected and drawn once, at this zoom */
  function firstView(map, data) {
    var F = data.fields;
    var focus = data.places.filter(function (p) { return p[F.p_group] !== "country"; });
    if (!focus.length) focus = data.places;
    if (focus.length) {
      map.fitBounds(focus.map(function (p) { return [p[F.p_lat], p[F.p_lon]]; }),
                    { padding: [40, 40], maxZoom: 9, animate: false });
    }
  }

  function init(map, data) {
    var F = data.fields;  // column positions of the compact rows
    var places = data.places, articles = data.articles;
    /* mentions: one flat array of numbers, a mention is its number mi (see page.py map_payload) */
    var M = data.mentions, S = data.mention_stride, nM = Math.floor(M.length / S);
    function mf(mi, field) { return M[mi * S + field]; }
    function roleOf(mi) { return data.roles[M[mi * S + F.m_role]] || ""; }
    var groups = {};
    data.groups.forEach(function (g) { groups[g.group] = g; });
    function colourOf(p) { return (groups[p[F.p_group]] || data.groups[data.groups.length - 1]).colour; }
    var byPlace = places.map(function () { return []; });
    for (var mi = 0; mi < nM; mi++) byPlace[M[mi * S + F.m_place]].push(mi);
    var placeIndex = {};
    places.forEach(function (p, i) { placeIndex[p[F.p_id]] = i; });
    var byName = null;  // article name → index, made when first needed
    function articleIndex(name) {
      if (!byName) { byName = {}; articles.forEach(function (a, i) { byName[a.name] = i; }); }
      return Object.prototype.hasOwnProperty.call(byName, name) ? byName[name] : -1;
    }

    /* ---- filters: time (article dates), outlet, language, article, mention role ---- */
    var dates = Array.from(new Set(articles.map(function (a) { return a.date; }).filter(Boolean))).sort();
    var undated = articles.filter(function (a) { return !a.date; }).length;
    var range = { from: 0, to: dates.length - 1 };
    var outletKeys = Array.from(new Set(articles.map(function (a) { return a.outlet || ""; }))).sort();
    var outletOf = {};
    outletKeys.forEach(function (o, i) { outletOf[o] = i; });
    var articleOutlet = articles.map(function (a) { return outletOf[a.outlet || ""]; });
    var languageKeys = Array.from(new Set(articles.map(function (a) { return a.language || ""; }))).sort()
      .sort(function (a, b) { return (a === "") - (b === ""); });  // "unknown" last
    var languageOf = {};
    languageKeys.forEach(function (l, i) { languageOf[l] = i; });
    var articleLanguage = articles.map(function (a) { return languageOf[a.language || ""]; });
    var roleKeys = data.roles;  // sorted, "" (no role) first: roles.on[i] for role i
    var outlets, languages, chosen, roles;  // filter lists, filled when the control is built
    var articleOn = articles.map(function () { return true; });

    /* each article's date as its position in dates (-1: undated), so a range test compares numbers */
    var dateOf = {};
    dates.forEach(function (d, i) { dateOf[d] = i; });
    var articleDate = new Int32Array(articles.length);
    for (var ai = 0; ai < articles.length; ai++) articleDate[ai] = articles[ai].date ? dateOf[articles[ai].date] : -1;
    function computeArticles() {
      var lo = range.from, hi = range.to;
      for (var i = 0; i < articles.length; i++) {
        var d = articleDate[i];
        articleOn[i] = !(d >= 0 && (d < lo || d > hi)) && outlets.on[articleOutlet[i]] &&
          languages.on[articleLanguage[i]] && chosen.on[i];
      }
    }
    function mentionOn(mi) { return articleOn[M[mi * S + F.m_article]] && roles.on[M[mi * S + F.m_role]]; }

    /* ---- popups: excerpts grouped by article, newest first, paged ---- */
    function excerptItem(m) {
      var a = articles[mf(m, F.m_article)];
      var start = mf(m, F.m_start), end = mf(m, F.m_end), s0 = mf(m, F.m_sentence_start), s1 = mf(m, F.m_sentence_end);
      var item = el("li");
      var role = roleOf(m);
      if (role) item.appendChild(el("span", "nkmap-role nkmap-role-" + role, role));
      var excerpt = el("a", "nkmap-excerpt");
      excerpt.href = articleHash(a, start, end);
      excerpt.title = "Read the whole article with this mention highlighted";
      highlighted(excerpt, a.text.slice(s0, s1), start - s0, end - s0);
      item.appendChild(excerpt);
      return item;
    }

    function articleSection(articleIdx, rows) {
      var a = articles[articleIdx];
      var section = el("div", "nkmap-article");
      var title = el("div", "nkmap-article-title");
      var url = safeUrl(a.url);
      if (url) {
        var link = el("a", null, a.title || a.name);
        link.href = url; link.target = "_blank"; link.rel = "noopener noreferrer";
        title.appendChild(link);
      } else {
        title.textContent = a.title || a.name;
      }
      section.appendChild(title);
      section.appendChild(el("div", "nkmap-meta", [a.outlet, a.date || "undated",
        rows.length > 1 ? plural(rows.length, "mention") : ""].filter(Boolean).join(" · ")));
      var list = el("ul");
      section.appendChild(list);
      var shown = 0;
      function more(n) {
        var stop = Math.min(rows.length, shown + n);
        for (; shown < stop; shown++) list.appendChild(excerptItem(rows[shown]));
        if (moreButton) {
          if (shown < rows.length) moreButton.textContent = "more (" + (rows.length - shown) + ")";
          else moreButton.hidden = true;  // not removed: Leaflet would take a click on a detached node for a map click
        }
      }
      var moreButton = rows.length > POPUP_EXCERPTS ? button("nkmap-more nkmap-more-excerpts", "") : null;
      more(POPUP_EXCERPTS);
      if (moreButton) {
        moreButton.setAttribute("aria-label", "More excerpts from " + (a.title || a.name));
        moreButton.addEventListener("click", function () { more(MORE_EXCERPTS); });
        section.appendChild(moreButton);
      }
      return section;
    }

    function popupFor(index) {
      var p = places[index], all = byPlace[index];
      var grouped = {}, order = [], total = 0;
      for (var i = 0; i < all.length; i++) {
        var m = all[i];
        if (!mentionOn(m)) continue;
        var k = mf(m, F.m_article);
        if (!grouped[k]) { grouped[k] = []; order.push(k); }
        grouped[k].push(m);
        total++;
      }
      /* newest first; undated articles last; ties in corpus order */
      order.sort(function (x, y) {
        var dx = articles[x].date || "", dy = articles[y].date || "";
        return dx === dy ? x - y : (dx < dy ? 1 : -1);
      });
      var root = el("div", "nkmap-popup");
      root.dataset.place = p[F.p_id];  /* which place: one popup is shared by every marker */
      root.appendChild(el("h3", null, p[F.p_name]));
      var meta = el("div", "nkmap-meta", [p[F.p_kind], p[F.p_country]].filter(Boolean).join(" · ") +
        " · " + plural(total, "mention") + " in " + plural(order.length, "article"));
      if (total < all.length) meta.appendChild(document.createTextNode(" (of " + all.length + "; filtered)"));
      if (p[F.p_origin] !== "gazetteer") {
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(el("span", "nkmap-badge", "matched from " + p[F.p_origin]));
      }
      root.appendChild(meta);
      var body = el("div", "nkmap-articles");
      root.appendChild(body);
      var shown = 0, moreArticles = null;
      function page() {
        var stop = Math.min(order.length, shown + POPUP_ARTICLES);
        for (; shown < stop; shown++) body.appendChild(articleSection(order[shown], grouped[order[shown]]));
        if (shown < order.length) {
          if (!moreArticles) {
            moreArticles = button("nkmap-more nkmap-more-articles", "");
            moreArticles.addEventListener("click", page);
            root.appendChild(moreArticles);
          }
          moreArticles.textContent = "Show " + Math.min(POPUP_ARTICLES, order.length - shown) +
            " more articles (" + num(order.length - shown) + " not shown)";
        } else if (moreArticles) {
          moreArticles.hidden = true;
        }
      }
      page();
      return root;
    }
    function popupOptions() {
      var width = Math.min(380, window.innerWidth - 80);
      return { maxWidth: width, minWidth: Math.min(240, width), autoPanPadding: [10, 10] };
    }

    /* ---- markers: one canvas circle per place, clustered by supercluster ---- */
    var markers = {}, markerList = new Array(places.length);
    var counts = byPlace.map(function (rows) { return rows.length; });
    var maxMentions = Math.max.apply(null, counts.concat([1]));  // shades the countries
    /* a country the articles name is shaded on the basemap, not pinned at its capital; so is a
       province with an outline (static/areas.js) */
    function shapeOf(p) {
      return (p[F.p_kind] === "country" && countryShape(p[F.p_country])) ||
        (window.nkmapAreaShape && window.nkmapAreaShape(p[F.p_id])) || null;
    }
    var maxPoint = Math.max.apply(null, [1].concat(counts.filter(function (n, i) { return !shapeOf(places[i]); })));
    var radiusScale = Math.min(4, R_MAX / Math.sqrt(maxPoint));
    function radiusOf(count) { return Math.max(R_MIN, Math.min(R_MAX, radiusScale * Math.sqrt(count))); }
    var areas = {}, areaLayer = L.layerGroup().addTo(map);
    function shadeOf(count) { return 0.12 + 0.33 * Math.sqrt(count / maxMentions); }
    function tooltipFor(index) {
      return function () { return el("span", null, places[index][F.p_name] + " (" + counts[index] + ")"); };
    }
    places.forEach(function (p, index) {
      var shape = shapeOf(p);
      if (!shape) return;
      var colour = colourOf(p);
      var area = L.geoJSON(shape, { style: { color: colour, weight: 1, opacity: 0.6,
                                             fillColor: colour, fillOpacity: shadeOf(counts[index]) } });
      area.nkmapId = p[F.p_id];
      area.nkmapArea = true;
      area.nkmapRegion = p[F.p_kind] !== "country";
      area.bindTooltip(tooltipFor(index), { sticky: true });
      area.bindPopup(function () { return popupFor(index); }, popupOptions());
      areas[index] = area;
    });
    places.forEach(function (p, index) {
      if (areas[index]) { markerList[index] = null; return; }
      var marker = L.circleMarker([p[F.p_lat], p[F.p_lon]], {
        radius: radiusOf(counts[index]), color: "#fff", weight: 1.5, fillOpacity: 0.85,
        fillColor: colourOf(p),
      });
      marker.nkmapId = p[F.p_id];
      marker.nkmapIndex = index;
      markers[p[F.p_id]] = marker;
      markerList[index] = marker;
    });
    /* one popup and one tooltip for all the markers, made when needed: 10,000 bound popups
       would cost a fifth of a second at start-up */
    var tooltip = L.tooltip({ direction: "top", offset: [0, -6] });
    var markerPopup = L.popup(popupOptions());
    function openPopupOf(marker) {
      if (marker.nkmapArea) { marker.openPopup(); return; }
      map.closeTooltip(tooltip);
      markerPopup.options.maxWidth = popupOptions().maxWidth;
      markerPopup.setLatLng(marker.getLatLng()).setContent(popupFor(marker.nkmapIndex)).openOn(map);
    }

    /* Clusters: supercluster, one index per zoom level, made the first time the map is drawn at that
       zoom and dropped when the filters change the places shown (a level of 10,000 places takes a few
       ms; all ten at once took 20-50). Only what lies in the view is drawn: the places standing alone
       as their circle markers, the clusters as icons. Clusters gather less once zoomed into a theatre
       (radius 24 px from zoom NEAR_ZOOM, 40 below), so nearby towns stand apart; from zoom
       CLUSTER_UNTIL on, none. */
    var CLUSTER_UNTIL = 12, NEAR_ZOOM = 8;
    var points = places.map(function (p, i) {
      return { type: "Feature", properties: { i: i }, geometry: { type: "Point", coordinates: [p[F.p_lon], p[F.p_lat]] } };
    });
    var shownPoints = null, levels = {};  // the shown places' points; zoom level → its index
    var clusterTops = {};  // cluster key → {top, weight}, see clusterTop
    function loadClusters() {
      shownPoints = [];
      for (var i = 0; i < places.length; i++) if (markerList[i] && isShown[i]) shownPoints.push(points[i]);
      levels = {};
      clusterTops = {};
      var keep = {};  // the icons drawn now, which the new clusters may reuse; the others go
      for (var key in drawn) if (drawn[key].nkmapCluster) keep[key] = drawn[key];
      clusterIcons = keep;
    }
    /* the index for a zoom; from CLUSTER_UNTIL on, the last level's, whose next tree holds the points alone */
    function indexAt(zoom) {
      var z = Math.max(map.getMinZoom() || 0, Math.min(zoom, CLUSTER_UNTIL - 1));
      if (!levels[z]) {
        levels[z] = new Supercluster({ radius: z >= NEAR_ZOOM ? 24 : 40, extent: 256, minZoom: z, maxZoom: z })
          .load(shownPoints);
      }
      return levels[z];
    }
    /* a cluster's mentions and its most-mentioned place (ties: the first place), from its places'
       counts now: worked out for the clusters labelled, once per filter change */
    function clusterTop(c) {
      var known = clusterTops[c.key];
      if (known) return known;
      var top = -1, w = 0, leaves = c.index.getLeaves(c.id, Infinity);
      for (var k = 0; k < leaves.length; k++) {
        var i = leaves[k].properties.i;
        w += counts[i];
        if (top < 0 || counts[i] > counts[top] || (counts[i] === counts[top] && i < top)) top = i;
      }
      return (clusterTops[c.key] = { top: top, weight: w });
    }
    var pointLayer = L.featureGroup().addTo(map);  // what is drawn now: circle markers and cluster icons
    var drawn = {}, clusterIcons = {};  // key ("p" + place index, or "zoom:count@lon,lat") → layer
    function clusterIcon(key, f, index) {
      var icon = clusterIcons[key], n = f.properties.point_count;
      if (icon) {  /* the same cluster as before a filter change: same zoom, size and centre */
        icon.nkmapCluster.id = f.properties.cluster_id;
        icon.nkmapCluster.index = index;
        return icon;
      }
      var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
      var label = el("div", null);
      label.appendChild(el("span", null, num(n)));
      icon = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        icon: L.divIcon({ html: label, className: "marker-cluster nkmap-cluster marker-cluster-" + size, iconSize: L.point(40, 40) }),
        title: plural(n, "place") + ": zoom in",
        alt: plural(n, "place"),
      });
      icon.nkmapCluster = { key: key, id: f.properties.cluster_id, count: n, index: index };
      clusterIcons[key] = icon;
      return icon;
    }
    /* draws what the view (and half a view around it) holds at this zoom, changing only what differs */
    function draw() {
      if (!shownPoints) return;
      var zoom = Math.round(map.getZoom()), b = map.getBounds().pad(0.5);
      var index = indexAt(zoom), prefix = Math.min(zoom, CLUSTER_UNTIL) + ":";
      var features = index.getClusters([Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()),
                                        Math.min(180, b.getEast()), Math.min(85, b.getNorth())], zoom);
      var next = {};
      for (var k = 0; k < features.length; k++) {
        var f = features[k], props = f.properties;
        if (props.cluster) {
          /* keyed by what it looks like, so that an icon a filter change leaves as it was stays drawn */
          var key = prefix + props.point_count + "@" + f.geometry.coordinates.join(",");
          next[key] = clusterIcon(key, f, index);
        } else next["p" + props.i] = markerList[props.i];
      }
      for (key in drawn) if (next[key] !== drawn[key]) pointLayer.removeLayer(drawn[key]);
      for (key in next) if (drawn[key] !== next[key]) pointLayer.addLayer(next[key]);
      drawn = next;
      scheduleLabels();
    }
    /* the lowest zoom from `from` on at which place i stands alone (not inside a cluster) */
    function aloneFrom(i, from) {
      var lon = places[i][F.p_lon], lat = places[i][F.p_lat], d = 1e-7;
      for (var z = from; z < CLUSTER_UNTIL; z++) {
        var here = indexAt(z).getClusters([lon - d, lat - d, lon + d, lat + d], z);
        for (var k = 0; k < here.length; k++) if (!here[k].properties.cluster && here[k].properties.i === i) return z;
      }
      return Math.max(from, CLUSTER_UNTIL);
    }
    /* a click on a cluster zooms in until its places fill the view, at least one level */
    function zoomIntoCluster(icon) {
      var c = icon.nkmapCluster;
      var bounds = L.latLngBounds(c.index.getLeaves(c.id, Infinity).map(function (f) {
        return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      }));
      var zoom = Math.max(Math.round(map.getZoom()) + 1, Math.min(map.getBoundsZoom(bounds.pad(0.1)), CLUSTER_UNTIL));
      map.setView(bounds.getCenter(), zoom);
    }
    pointLayer.on("click", function (e) {
      var layer = e.layer;
      if (!layer) return;
      if (layer.nkmapCluster) zoomIntoCluster(layer);
      else if (layer.nkmapIndex !== undefined) openPopupOf(layer);
    });
    /* a cluster icon is a button (Leaflet makes it focusable): Enter or Space zooms into it */
    pointLayer.on("keypress", function (e) {
      var key = e.originalEvent && e.originalEvent.key;
      if (e.layer && e.layer.nkmapCluster && (key === "Enter" || key === " ")) {
        L.DomEvent.preventDefault(e.originalEvent);
        zoomIntoCluster(e.layer);
      }
    });
    pointLayer.on("mouseover", function (e) {
      var m = e.layer;
      if (!m || m.nkmapIndex === undefined) return;
      tooltip.setLatLng(m.getLatLng()).setContent(tooltipFor(m.nkmapIndex)());
      map.openTooltip(tooltip);
    });
    pointLayer.on("mouseout", function () { map.closeTooltip(tooltip); });
    map.on("moveend", draw);
    mark("markers made");

    var status = el("div", "nkmap-status");
    status.setAttribute("aria-live", "polite");
    var isShown = places.map(function () { return false; });
    /* the date slider fires an input event per step while dragged: apply the latest range once a
       frame, not every step (each may re-cluster thousands of markers) */
    var updateFrame = null, updateWaiters = [];
    function scheduleUpdate() {
      if (updateFrame === null) updateFrame = requestAnimationFrame(flushUpdate);
    }
    function flushUpdate() {
      if (updateFrame !== null) cancelAnimationFrame(updateFrame);
      updateFrame = null;
      update();
      var waiting = updateWaiters;
      updateWaiters = [];
      waiting.forEach(function (done) { done(); });
    }
    function update() {
      computeArticles();
      var add = [], remove = [], nShown = 0, changed = false;
      for (var index = 0; index < places.length; index++) {
        var n = 0, rows = byPlace[index];
        for (var j = 0; j < rows.length; j++) if (mentionOn(rows[j])) n++;
        var layer = areas[index] || markerList[index];
        if (n) {
          nShown++;
          if (n !== counts[index]) {
            if (areas[index]) layer.setStyle({ fillOpacity: shadeOf(n) }); else layer.setRadius(radiusOf(n));
            changed = true;
          }
          if (!isShown[index]) add.push(layer);
        } else if (isShown[index]) {
          remove.push(layer);
        }
        counts[index] = n;
        isShown[index] = n > 0;
      }
      map.closePopup();
      /* the clusters are rebuilt when the places shown change; only the view's part is drawn */
      if (changed) clusterTops = {};
      if (!shownPoints || add.length || remove.length) loadClusters();
      draw();
      remove.forEach(function (l) { if (l.nkmapArea) areaLayer.removeLayer(l); });
      add.forEach(function (l) { if (l.nkmapArea) areaLayer.addLayer(l); });
      /* the canvas draws and hit-tests in order: areas under the markers, countries under provinces */
      if (add.some(function (l) { return l.nkmapArea; })) {
        var shownAreas = areaLayer.getLayers();
        shownAreas.forEach(function (l) { if (l.nkmapRegion) l.bringToBack(); });
        shownAreas.forEach(function (l) { if (!l.nkmapRegion) l.bringToBack(); });
      }
      var nArticles = 0;
      for (var i = 0; i < articleOn.length; i++) if (articleOn[i]) nArticles++;
      status.textContent = num(nShown) + " of " + plural(places.length, "place") + " · " +
        num(nArticles) + " of " + plural(articles.length, "article");
      scheduleLabels();
      return nShown;
    }

    /* ---- title, subtitle and the search box (top left) ---- */
    map.zoomControl && map.zoomControl.setPosition("bottomright");
    var head = el("div", "nkmap-head leaflet-bar");
    var h1 = el("h1", "nkmap-title", data.title);
    head.appendChild(h1);
    head.appendChild(el("p", "nkmap-subtitle", data.subtitle));
    map.getContainer().setAttribute("aria-label", "Map: " + data.title);
    var searchBox = el("div", "nkmap-search");
    var input = el("input", "nkmap-search-input");
    input.type = "search";
    input.placeholder = "Search places and articles";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-label", "Search places and articles");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "nkmap-search-results");
    var results = el("ul", "nkmap-search-results");
    results.id = "nkmap-search-results";
    results.setAttribute("role", "listbox");
    results.setAttribute("aria-label", "Search results");
    searchBox.appendChild(input);
    searchBox.appendChild(results);
    head.appendChild(searchBox);
    var note = el("div", "nkmap-search-note");
    note.setAttribute("aria-live", "polite");
    head.appendChild(note);

    var searchIndex = null;
    function buildSearchIndex() {
      searchIndex = [];
      places.forEach(function (p, i) {
        var names = [p[F.p_name]].concat(data.aliases[i] || []);
        searchIndex.push({ type: "place", index: i, keys: names.map(fold), names: names });
      });
      articles.forEach(function (a, i) {
        searchIndex.push({ type: "article", index: i, keys: [fold(a.title), fold(a.outlet), fold(a.name)],
                           names: [a.title || a.name, a.outlet, a.name] });
      });
    }
    function rank(entry, q) {
      var best = 9, hit = "";
      for (var k = 0; k < entry.keys.length; k++) {
        var key = entry.keys[k], at = key.indexOf(q);
        if (at < 0) continue;
        var score = at === 0 ? (key.length === q.length ? 0 : 1) : (/[\s\-(,.'"]/.test(key[at - 1]) ? 2 : 3);
        if (score < best) { best = score; hit = entry.names[k]; }
      }
      return best < 9 ? { score: best, hit: hit } : null;
    }
    function search(text) {
      var q = fold(String(text).trim());
      if (!q) return [];
      if (!searchIndex) buildSearchIndex();
      var found = [];
      for (var i = 0; i < searchIndex.length; i++) {
        var entry = searchIndex[i], r = rank(entry, q);
        if (!r) continue;
        var weight = entry.type === "place" ? counts[entry.index] || byPlace[entry.index].length : 0;
        found.push({ entry: entry, score: r.score, hit: r.hit, weight: weight });
      }
      found.sort(function (x, y) {
        return x.score - y.score || (x.entry.type === y.entry.type ? 0 : x.entry.type === "place" ? -1 : 1) ||
          y.weight - x.weight || x.entry.index - y.entry.index;
      });
      return found.slice(0, SEARCH_RESULTS).map(function (f) {
        var e = f.entry;
        if (e.type === "place") {
          var p = places[e.index], label = p[F.p_name];
          var sub = [groups[p[F.p_group]] ? p[F.p_kind] : "", p[F.p_country],
                     plural(byPlace[e.index].length, "mention")].filter(Boolean).join(" · ");
          if (fold(f.hit) !== fold(label)) sub = "“" + f.hit + "” · " + sub;
          return { type: "place", id: p[F.p_id], label: label, sub: sub };
        }
        var a = articles[e.index];
        return { type: "article", id: a.name, label: a.title || a.name,
                 sub: [a.outlet, a.date || "undated"].filter(Boolean).join(" · ") };
      });
    }
    var current = [], active = -1;
    function showResults() {
      current = search(input.value);
      active = current.length ? 0 : -1;
      results.textContent = "";
      current.forEach(function (r, i) {
        var li = el("li", "nkmap-result nkmap-result-" + r.type);
        li.id = "nkmap-result-" + i;
        li.setAttribute("role", "option");
        li.appendChild(el("span", "nkmap-result-type", r.type === "place" ? "place" : "article"));
        li.appendChild(el("span", "nkmap-result-label", r.label));
        li.appendChild(el("small", null, r.sub));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        results.appendChild(li);
      });
      note.textContent = input.value.trim() && !current.length ? "Nothing matches “" + input.value.trim() + "”" : "";
      highlightActive();
    }
    function highlightActive() {
      var open = current.length > 0;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      results.classList.toggle("nkmap-open", open);
      Array.prototype.forEach.call(results.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.classList.toggle("nkmap-active", i === active);
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", "nkmap-result-" + active);
        results.children[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function closeResults() { current = []; active = -1; results.textContent = ""; highlightActive(); }
    function pick(i) {
      var r = current[i];
      if (!r) return;
      closeResults();
      if (r.type === "place") {
        if (!openPlace(r.id)) note.textContent = r.label + " is hidden by the filters";
      } else {
        location.hash = articleHash(articles[articleIndex(r.id)]);
      }
    }
    input.addEventListener("input", showResults);
    input.addEventListener("focus", function () { if (!searchIndex) buildSearchIndex(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!current.length) showResults();
        if (!current.length) return;
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : current.length - 1)) % current.length;
        highlightActive();
      } else if (e.key === "Enter") {
        if (active >= 0) { e.preventDefault(); pick(active); }
      } else if (e.key === "Escape") {
        closeResults();
      }
    });
    input.addEventListener("blur", function () { setTimeout(closeResults, 150); });
    var HeadControl = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        L.DomEvent.disableClickPropagation(head);
        L.DomEvent.disableScrollPropagation(head);
        return head;
      },
    });
    new HeadControl().addTo(map);

    /* ---- the filter control: collapsible, top right ---- */
    var panel = el("details", "nkmap-filters leaflet-bar");
    var summary = el("summary", null, "Filters");
    panel.appendChild(summary);
    panel.appendChild(status);
    var body = el("div", "nkmap-filter-body");
    panel.appendChild(body);

    if (dates.length) {
      var time = el("fieldset", "nkmap-time");
      time.appendChild(el("legend", null, "Article dates"));
      var label = el("div", "nkmap-range-label");
      var inputs = ["from", "to"].map(function (which) {
        var slider = el("input");
        slider.type = "range"; slider.min = 0; slider.max = dates.length - 1; slider.step = 1;
        slider.value = range[which]; slider.className = "nkmap-" + which;
        slider.setAttribute("aria-label", which === "from" ? "earliest article date" : "latest article date");
        slider.addEventListener("input", function () {
          range[which] = +slider.value;
          if (range.from > range.to) {  // the thumbs may not cross: push the other one along
            var other = which === "from" ? "to" : "from";
            range[other] = range[which];
            inputs[other === "from" ? 0 : 1].value = range[which];
          }
          showRange();
          scheduleUpdate();
        });
        time.appendChild(slider);
        return slider;
      });
      var showRange = function () { label.textContent = dates[range.from] + " – " + dates[range.to]; };
      showRange();
      time.appendChild(label);
      if (undated) {
        time.appendChild(el("div", "nkmap-undated", undated + (undated === 1 ? " undated article" :
          " undated articles") + " always shown"));
      }
      body.appendChild(time);
    } else if (articles.length) {
      body.appendChild(el("div", "nkmap-undated", "No dated articles: all " + articles.length + " shown"));
    }
    var perOutlet = outletKeys.map(function () { return 0; });
    articleOutlet.forEach(function (o) { perOutlet[o]++; });
    outlets = filterList("Outlets", outletKeys.map(function (o, i) {
      return { key: o, label: o || "(no outlet)", sub: "(" + perOutlet[i] + ")" };
    }), update, true);
    body.appendChild(outlets.node);
    var perLanguage = languageKeys.map(function () { return 0; });
    articleLanguage.forEach(function (l) { perLanguage[l]++; });
    languages = filterList("Languages", languageKeys.map(function (l, i) {
      return { key: l || "unknown", label: languageName(l), sub: "(" + perLanguage[i] + ")" };
    }), update, languageKeys.length > 12);
    body.appendChild(languages.node);
    chosen = filterList("Articles", articles.map(function (a) {
      return { key: a.name, label: a.title || a.name, sub: a.date || "undated" };
    }), update, true);
    chosen.node.classList.add("nkmap-article-list");
    body.appendChild(chosen.node);
    roles = filterList("Mention roles", roleKeys.map(function (r) {
      return { key: r, label: r || "other" };
    }), update, false);
    if (roleKeys.some(Boolean)) body.appendChild(roles.node);  // only once mentions carry roles

    var FilterControl = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        L.DomEvent.disableClickPropagation(panel);
        L.DomEvent.disableScrollPropagation(panel);
        return panel;
      },
    });
    new FilterControl().addTo(map);

    /* ---- the legend: colour = kind group, circle area = mentions ---- */
    var legend = el("details", "nkmap-legend leaflet-bar");
    legend.open = !window.matchMedia || !window.matchMedia("(max-width: 600px)").matches;
    legend.appendChild(el("summary", null, "Legend"));
    var groupsShown = new Set(places.map(function (p) { return p[F.p_group]; }));
    data.groups.forEach(function (g) {
      if (!groupsShown.has(g.group)) return;
      var line = el("div", "nkmap-legend-row");
      var dot = el("span", "nkmap-dot");
      dot.style.background = g.colour;
      line.appendChild(dot);
      line.appendChild(el("span", null, g.label));
      legend.appendChild(line);
    });
    var sizes = el("div", "nkmap-legend-sizes");
    legendCounts(maxPoint).forEach(function (n) {
      var item = el("span", "nkmap-size");
      var dot = el("span", "nkmap-dot");
      var d = 2 * radiusOf(n);
      dot.style.width = dot.style.height = d + "px";
      item.appendChild(dot);
      item.appendChild(el("span", null, num(n)));
      sizes.appendChild(item);
    });
    legend.appendChild(sizes);
    legend.appendChild(el("div", "nkmap-legend-note", "mentions per place (circle area)"));
    var Legend = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () { return legend; },
    });
    new Legend().addTo(map);

    /* ---- labels: most-mentioned places first, then country names, then towns; never overlapping ---- */
    var labelPane = map.createPane("nkmap-labels");
    labelPane.style.zIndex = 450;
    labelPane.style.pointerEvents = "none";
    labelPane.setAttribute("aria-hidden", "true");
    var measure = document.createElement("canvas").getContext("2d");
    var FONTS = { place: "600 12px system-ui, sans-serif", country: "500 11px system-ui, sans-serif",
                  town: "italic 11px system-ui, sans-serif", region: "500 10px system-ui, sans-serif" };
    var HEIGHT = { place: 15, country: 14, town: 13, region: 13 };
    var widths = {};
    function textWidth(kind, text) {
      var key = kind + "\u0000" + text;
      if (!(key in widths)) { measure.font = FONTS[kind]; widths[key] = Math.ceil(measure.measureText(text).width) + 4; }
      return widths[key];
    }
    function townMinZoom(pop) { return pop >= 1e6 ? 5 : pop >= 3e5 ? 6 : pop >= 1e5 ? 7 : pop >= 4e4 ? 8 : 9; }
    var towns = data.towns || [];
    var labelTimer = null;
    function scheduleLabels() {
      if (labelTimer) return;
      labelTimer = requestAnimationFrame(function () { labelTimer = null; relabel(); });
    }
    var placedLabels = [];
    /* the boxes [x0, y0, x1, y1] taken on screen, filed by the CELL-pixel squares they cover, so that
       a test compares a box with those near it only (all of them: thousands of markers and towns) */
    function boxGrid(width, height) {
      var CELL = 64, cols = Math.ceil(width / CELL) + 1, rows = Math.ceil(height / CELL) + 1, cells = [], n = 0;
      function each(b, f) {
        var x0 = Math.max(0, Math.min(cols - 1, Math.floor(b[0] / CELL))), x1 = Math.max(0, Math.min(cols - 1, Math.floor(b[2] / CELL)));
        var y0 = Math.max(0, Math.min(rows - 1, Math.floor(b[1] / CELL))), y1 = Math.max(0, Math.min(rows - 1, Math.floor(b[3] / CELL)));
        for (var y = y0; y <= y1; y++) for (var x = x0; x <= x1; x++) if (f(y * cols + x)) return true;
        return false;
      }
      return {
        push: function (b) { n++; each(b, function (c) { (cells[c] || (cells[c] = [])).push(b); return false; }); },
        overlaps: function (b) {
          return each(b, function (c) {
            var list = cells[c] || [];
            for (var i = 0; i < list.length; i++) {
              var t = list[i];
              if (b[0] < t[2] && t[0] < b[2] && b[1] < t[3] && t[1] < b[3]) return true;
            }
            return false;
          });
        },
        count: function () { return n; },
      };
    }
    function relabel() {
      labelPane.textContent = "";
      placedLabels = [];
      var size = map.getSize(), zoom = map.getZoom(), bounds = map.getBounds().pad(0.05);
      var taken = boxGrid(size.x, size.y);
      function free(b) {
        if (b[0] < 0 || b[1] < 0 || b[2] > size.x || b[3] > size.y) return false;
        return !taken.overlaps(b);
      }
      /* markers drawn alone, and cluster icons, are obstacles the labels keep clear of */
      var alone = [], clustered = [];
      for (var key in drawn) {
        var layer = drawn[key];
        if (!bounds.contains(layer.getLatLng())) continue;
        var pt = map.latLngToContainerPoint(layer.getLatLng());
        if (layer.nkmapCluster) {
          taken.push([pt.x - 20, pt.y - 20, pt.x + 20, pt.y + 20]);
          /* a cluster is labelled by its most-mentioned place: "Stepanakert +2" */
          var c = clusterTop(layer.nkmapCluster);
          clustered.push({ latlng: layer.getLatLng(), text: places[c.top][F.p_name] + " +" + (layer.nkmapCluster.count - 1),
                           weight: c.weight });
        } else {
          var r = layer.getRadius();
          taken.push([pt.x - r, pt.y - r, pt.x + r, pt.y + r]);
          alone.push(layer);
        }
      }
      /* and so are the controls (title, filters, legend, zoom) */
      var frame = map.getContainer().getBoundingClientRect();
      Array.prototype.forEach.call(map.getContainer().querySelectorAll(".leaflet-control"), function (c) {
        var r = c.getBoundingClientRect();
        if (r.width && r.height) taken.push([r.left - frame.left, r.top - frame.top, r.right - frame.left, r.bottom - frame.top]);
      });
      var obstacles = taken.count();
      function put(kind, text, latlng, pt, offsets) {
        var w = textWidth(kind, text), h = HEIGHT[kind];
        for (var k = 0; k < offsets.length; k++) {
          var o = offsets[k];
          var x = pt.x + o[0] - o[2] * w, y = pt.y + o[1] - h / 2;
          var box = [x - 1, y - 1, x + w + 1, y + h + 1];
          if (!free(box)) continue;
          taken.push(box);
          var node = el("div", "nkmap-label nkmap-label-" + kind, text);
          node.style.width = w + "px";
          node.style.height = h + "px";
          node.style.lineHeight = h + "px";
          L.DomUtil.setPosition(node, map.containerPointToLayerPoint([x, y]));
          labelPane.appendChild(node);
          placedLabels.push({ kind: kind, text: text, box: box });
          return true;
        }
        return false;
      }
      var items = alone.map(function (m) {
        return { latlng: m.getLatLng(), text: places[m.nkmapIndex][F.p_name], weight: counts[m.nkmapIndex],
                 r: m.getRadius() + 3 };
      }).concat(clustered.map(function (c) { c.r = 22; return c; }));
      items.sort(function (a, b) { return b.weight - a.weight || (a.text < b.text ? -1 : 1); });
      items.forEach(function (it) {
        var r = it.r, pt = map.latLngToContainerPoint(it.latlng), h = HEIGHT.place / 2 + 1;
        put("place", it.text, it.latlng, pt,
            [[r, 0, 0], [-r, 0, 1], [0, -r - h, 0.5], [0, r + h, 0.5], [r * 0.7, -r * 0.7 - h, 0], [-r * 0.7, -r * 0.7 - h, 1],
             [r * 0.7, r * 0.7 + h, 0], [-r * 0.7, r * 0.7 + h, 1]]);
      });
      countryLabels.forEach(function (c) {
        if (c[3] > zoom) return;
        var ll = L.latLng(c[2], c[1]);
        if (!bounds.contains(ll)) return;
        put("country", c[0], ll, map.latLngToContainerPoint(ll), [[0, 0, 0.5], [0, 14, 0.5], [0, -14, 0.5]]);
      });
      for (var t = 0; t < towns.length; t++) {
        var town = towns[t];
        if (townMinZoom(town[3]) > zoom) continue;
        var ll = L.latLng(town[1], town[2]);
        if (!bounds.contains(ll)) continue;
        var pt = map.latLngToContainerPoint(ll);
        /* the town's dot is part of its label box, so a dot never sits under another name */
        if (!free([pt.x - 3, pt.y - 3, pt.x + 3, pt.y + 3])) continue;
        if (put("town", town[0], ll, pt, [[5, 0, 0], [-5, 0, 1]])) {
          taken.push([pt.x - 3, pt.y - 3, pt.x + 3, pt.y + 3]);
          var dot = el("div", "nkmap-town-dot");
          L.DomUtil.setPosition(dot, map.containerPointToLayerPoint([pt.x - 2, pt.y - 2]));
          labelPane.appendChild(dot);
        }
      }
      /* province names (static/areas.js), after the towns': they fill what room is left */
      if (window.nkmapRegionLabels) window.nkmapRegionLabels(zoom, bounds, function (text, ll, offsets) {
        return put("region", text.toUpperCase(), ll, map.latLngToContainerPoint(ll), offsets);
      });
      return obstacles;
    }
    map.on("zoomstart", function () { labelPane.style.visibility = "hidden"; });
    map.on("moveend zoomend", function () { labelPane.style.visibility = ""; scheduleLabels(); });

    mark("controls built");
    update();  // clusters the places and draws the view's part
    mark("clustered");

    /* ---- the article view: every place it names highlighted, each a way back to the map ---- */
    var view = el("div");
    view.id = "nkmap-article";
    view.setAttribute("role", "dialog");
    view.setAttribute("aria-label", "Article");
    map.getContainer().parentNode.appendChild(view);
    L.DomEvent.disableClickPropagation(view);
    L.DomEvent.disableScrollPropagation(view);
    var byArticle = null;  // article index → its mentions, in text order; made when first needed
    function mentionsOf(index) {
      if (!byArticle) {
        byArticle = articles.map(function () { return []; });
        for (var i = 0; i < nM; i++) byArticle[mf(i, F.m_article)].push(i);
        byArticle.forEach(function (rows) { rows.sort(function (x, y) { return mf(x, F.m_start) - mf(y, F.m_start); }); });
      }
      return byArticle[index] || [];
    }
    function closeArticle() {
      view.classList.remove("nkmap-open");
      if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    }

    function showArticle(name, start, end) {
      var index = articleIndex(name);
      if (index < 0) return false;
      var a = articles[index];
      view.textContent = "";
      var header = el("header");
      var close = button("nkmap-close", "×", "Close the article");
      close.title = "Close";
      close.onclick = closeArticle;
      header.appendChild(close);
      header.appendChild(el("h2", null, a.title || a.name));
      var meta = el("div", "nkmap-meta", [a.outlet, a.date, a.name].filter(Boolean).join(" · "));
      var url = safeUrl(a.url);
      if (url) {
        var link = el("a", null, "original");
        link.href = url; link.target = "_blank"; link.rel = "noopener noreferrer";
        meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(link);
      }
      header.appendChild(meta);
      var rows = mentionsOf(index);
      var named = {};
      rows.forEach(function (m) { named[mf(m, F.m_place)] = true; });
      var nNamed = Object.keys(named).length;
      if (nNamed) {
        header.appendChild(el("div", "nkmap-meta nkmap-article-places",
          plural(nNamed, "place") + " on the map, highlighted below: choose one to show it"));
      }
      view.appendChild(header);
      var text = el("div", "nkmap-text");
      text.tabIndex = -1;
      view.appendChild(text);
      view.classList.add("nkmap-open");
      var body = a.text, at = 0, currentMark = null;
      var fragment = document.createDocumentFragment();
      var wanted = start >= 0 && end <= body.length && start < end;
      var currentDone = false;
      rows.forEach(function (m) {
        var s = mf(m, F.m_start), e = mf(m, F.m_end);
        if (s < at || e > body.length) return;  // overlapping spans: the first one wins
        if (wanted && !currentDone && start < s && end <= s && start >= at) {
          fragment.appendChild(document.createTextNode(body.slice(at, start)));
          currentMark = el("mark", "nkmap-hit", body.slice(start, end));
          fragment.appendChild(currentMark);
          at = end;
          currentDone = true;
          if (s < at) return;
        }
        fragment.appendChild(document.createTextNode(body.slice(at, s)));
        var p = places[mf(m, F.m_place)];
        var mark = el("mark", "nkmap-place", body.slice(s, e));
        mark.tabIndex = 0;
        mark.setAttribute("role", "button");
        mark.setAttribute("aria-label", body.slice(s, e) + ": show " + p[F.p_name] + " on the map");
        mark.dataset.place = mf(m, F.m_place);
        mark.style.borderBottomColor = colourOf(p);
        if (wanted && !currentDone && s === start && e === end) {
          mark.classList.add("nkmap-hit");
          currentMark = mark;
          currentDone = true;
        }
        fragment.appendChild(mark);
        at = e;
      });
      if (wanted && !currentDone && start >= at) {
        fragment.appendChild(document.createTextNode(body.slice(at, start)));
        currentMark = el("mark", "nkmap-hit", body.slice(start, end));
        fragment.appendChild(currentMark);
        at = end;
      }
      fragment.appendChild(document.createTextNode(body.slice(at)));
      text.appendChild(fragment);
      if (currentMark) {
        currentMark.id = "nkmap-current";
        currentMark.scrollIntoView({ block: "center" });
      }
      return true;
    }
    view.addEventListener("click", function (e) {
      var mark = e.target.closest && e.target.closest("mark.nkmap-place");
      if (mark) flyTo(+mark.dataset.place);
    });
    view.addEventListener("keydown", function (e) {
      var mark = e.target.closest && e.target.closest("mark.nkmap-place");
      if (mark && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); flyTo(+mark.dataset.place); }
      if (e.key === "Escape") closeArticle();
    });
    function flyTo(index) {
      var p = places[index];
      if (!p) return false;
      return openPlace(p[F.p_id]);
    }

    function onHash() {
      var h = parseHash(location.hash);
      if (h) showArticle(h.article, h.start, h.end);
    }
    window.addEventListener("hashchange", onHash);

    /* show a place's marker on screen (zooming in until it stands alone); calls done(marker) */
    function showPlace(id, done) {
      var index = placeIndex[id];
      var area = areas[index];
      if (area) {
        if (!areaLayer.hasLayer(area)) return false;
        map.fitBounds(area.getBounds(), { animate: false });
        done(area);
        return true;
      }
      var marker = markers[id];
      if (!marker || !isShown[marker.nkmapIndex]) return false;
      /* a circle marker is drawn only while it stands alone: go to the lowest zoom that shows it
         (the view is drawn on moveend, synchronously with animate: false) */
      var zoom = Math.round(map.getZoom());
      if (map.hasLayer(marker) && aloneFrom(marker.nkmapIndex, zoom) === zoom) {
        map.panTo(marker.getLatLng(), { animate: false });
      } else {
        map.setView(marker.getLatLng(), aloneFrom(marker.nkmapIndex, Math.max(zoom, 5)), { animate: false });
      }
      if (!map.hasLayer(marker)) draw();
      done(marker);
      return true;
    }
    function openPlace(id) { return showPlace(id, openPopupOf); }

    function shownMarkers() { return markerList.filter(function (m, i) { return m && isShown[i]; }); }
    /* the places passing the filters, as Leaflet.markercluster's group answered it before */
    var cluster = { hasLayer: function (m) { return !!m && isShown[m.nkmapIndex] === true && markerList[m.nkmapIndex] === m; },
                    getLayers: shownMarkers };
    window.nkmap = {
      map: map, cluster: cluster, points: pointLayer, markers: markers, areas: areaLayer, showArticle: showArticle, showPlace: showPlace,
      update: update, search: search, parseHash: parseHash, openPlace: openPlace,
      /* open the popup of the place with this id where its marker (or area) is, as a click would */
      openPopup: function (id) { var i = placeIndex[id]; openPopupOf(areas[i] || markerList[i]); },
      /* the labels drawn now: [{kind, text, box: [x0, y0, x1, y1]}] in map container pixels */
      labels: function () { relabel(); return placedLabels; },
      /* how many places pass the filters (markers in the cluster group) */
      /* resolves once a scheduled filter change (the date slider) is applied */
      settled: function () {
        return new Promise(function (done) {
          if (updateFrame === null) done(); else updateWaiters.push(done);
        });
      },
      shownCount: function () { return shownMarkers().length + areaLayer.getLayers().length; },
      /* how many countries are shaded */
      shadedCount: function () { return areaLayer.getLayers().length; },
      /* how many of those are drawn in the current view, alone or inside a cluster icon */
      drawnCount: function () {
        var n = 0;
        for (var key in drawn) n += drawn[key].nkmapCluster ? drawn[key].nkmapCluster.count : 1;
        return n;
      },
    };
    onHash();
    /* markers are drawn on the canvas in the next frame; flag the page ready after it */
    requestAnimationFrame(function () {
      mark("ready");
      window.nkmap.readyMs = performance.now();
      window.nkmapReady = true;
    });
  }

  /* 1, round counts between, and the largest: the legend's circles, drawn by radiusOf */
  function legendCounts(top) {
    var out = [1];
    [10, 100, 1000, 10000, 100000].forEach(function (n) { if (n * 2 <= top) out.push(n); });
    if (out.length > 3) out = [1, out[out.length - 2], out[out.length - 1]];
    if (top > 1) out.push(top);
    return out;
  }

  window.nkmapData = nkmapData;
  window.nkmapBasemap = basemap;
  window.nkmapInit = init;
  window.nkmapFirstView = firstView;
})();
