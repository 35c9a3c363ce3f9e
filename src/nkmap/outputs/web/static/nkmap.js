/* nkmap: basemap, markers, popups, filters, legend and the article view, built from the data
 * the page embeds once. Article text is untrusted: it only ever enters the page through
 * textContent / text nodes, never innerHTML. */
(function () {
  "use strict";
  /* marker colour by place kind; the last row is everything else (cities, towns, villages) */
  var KINDS = [
    { colour: "#7c3aed", label: "country, continent", kinds: ["country", "continent"] },
    { colour: "#2563eb", label: "region, province", kinds: ["region", "province", "district"] },
    { colour: "#059669", label: "natural feature", kinds: ["feature"] },
    { colour: "#dc2626", label: "city, town, village", kinds: null },
  ];
  var WIDE_KINDS = ["country", "continent"];  // left out when fitting the first view

  function kindRow(kind) {
    for (var i = 0; i < KINDS.length - 1; i++) if (KINDS[i].kinds.indexOf(kind) >= 0) return KINDS[i];
    return KINDS[KINDS.length - 1];
  }

  var shapes = {};  // ISO alpha-2 → basemap feature, filled in by basemap()

  function radiusOf(count) { return Math.min(24, 5 + 3 * Math.sqrt(count)); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(url || "") ? url : "";
  }

  function articleHash(article, start, end) {
    return "#article=" + encodeURIComponent(article.name) + "&start=" + start + "&end=" + end;
  }

  /* text with [start, end) wrapped in <mark>, as DOM nodes */
  function highlighted(container, text, start, end) {
    container.appendChild(document.createTextNode(text.slice(0, start)));
    var mark = el("mark", "nkmap-hit", text.slice(start, end));
    container.appendChild(mark);
    container.appendChild(document.createTextNode(text.slice(end)));
    return mark;
  }

  /* The offline background: one GeoJSON layer on its own canvas, in a pane below the tiles,
     so online tiles (if any) cover it when they load and it shows through when they don't. */
  /* see nkmap/basemap.py: shapes of integer steps of 1/scale degree, and their ISO codes */
  function unpack(packed) {
    var scale = packed.scale;
    return { type: "FeatureCollection", features: packed.shapes.map(function (polygons, k) {
      return { type: "Feature", properties: { iso_a2: packed.iso[k] }, geometry: {
        type: "MultiPolygon", coordinates: polygons.map(function (rings) {
          return rings.map(function (steps) {
            var ring = [], x = 0, y = 0;
            for (var i = 0; i < steps.length; i += 2) {
              x += steps[i]; y += steps[i + 1];
              ring.push([x / scale, y / scale]);
            }
            return ring;
          });
        }) } };
    }) };
  }

  function basemap(map, packed, attribution) {
    var geometries = unpack(packed);
    var pane = map.createPane("nkmap-basemap");
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    var layer = L.geoJSON(geometries, {
      pane: "nkmap-basemap", renderer: L.canvas({ pane: "nkmap-basemap", padding: 0.3 }),
      interactive: false, attribution: attribution,
      style: { color: "#a8a29e", weight: 0.7, opacity: 1, fillColor: "#f5f3ee", fillOpacity: 1 },
    });
    layer.addTo(map);
    window.nkmapBasemapLayer = layer;
    /* country shapes by ISO code, so init() can shade the countries the articles name */
    shapes = {};
    (geometries.features || []).forEach(function (f) {
      var iso = f.properties && f.properties.iso_a2;
      if (iso) shapes[iso] = f;
    });
    return layer;
  }

  function checkboxList(title, items, onChange) {
    /* items: [{label, sub, key}]; returns {node, on: {key: bool}} */
    var box = el("fieldset", "nkmap-checks");
    box.appendChild(el("legend", null, title));
    var on = {};
    items.forEach(function (item) {
      on[item.key] = true;
      var label = el("label");
      var input = el("input");
      input.type = "checkbox"; input.checked = true; input.value = item.key;
      input.addEventListener("change", function () { on[item.key] = input.checked; onChange(); });
      label.appendChild(input);
      label.appendChild(el("span", null, item.label));
      if (item.sub) label.appendChild(el("small", null, " " + item.sub));
      label.title = item.label;
      box.appendChild(label);
    });
    return { node: box, on: on };
  }

  function init(map, data) {
    var F = data.fields;  // column positions of the compact rows
    var places = data.places, articles = data.articles, mentions = data.mentions;
    var byPlace = places.map(function () { return []; });
    mentions.forEach(function (m) { byPlace[m[F.m_place]].push(m); });

    /* ---- filters: time (article dates), outlet, article, mention role ---- */
    var dates = Array.from(new Set(articles.map(function (a) { return a.date; }).filter(Boolean))).sort();
    var undated = articles.filter(function (a) { return !a.date; }).length;
    var range = { from: 0, to: dates.length - 1 };
    var outletKeys = Array.from(new Set(articles.map(function (a) { return a.outlet || ""; }))).sort();
    var roleKeys = Array.from(new Set(mentions.map(function (m) { return m[F.m_role] || ""; }))).sort();
    var outlets, chosen, roles;  // checkbox states, filled when the control is built
    var articleOn = articles.map(function () { return true; });

    function computeArticles() {
      articleOn = articles.map(function (a, i) {
        if (a.date && (a.date < dates[range.from] || a.date > dates[range.to])) return false;
        return outlets.on[a.outlet || ""] && chosen.on[String(i)];
      });
    }
    function mentionOn(m) { return articleOn[m[F.m_article]] && roles.on[m[F.m_role] || ""]; }

    function popupFor(index) {
      var p = places[index], rows = byPlace[index].filter(mentionOn);
      var root = el("div", "nkmap-popup");
      root.appendChild(el("h3", null, p[F.p_name]));
      var nArticles = new Set(rows.map(function (m) { return m[F.m_article]; })).size;
      var meta = el("div", "nkmap-meta", [p[F.p_kind], p[F.p_country]].filter(Boolean).join(" · ") +
        " · " + rows.length + (rows.length === 1 ? " mention" : " mentions") + " in " + nArticles +
        (nArticles === 1 ? " article" : " articles"));
      if (rows.length < byPlace[index].length) {
        meta.appendChild(document.createTextNode(" (of " + byPlace[index].length + "; filtered)"));
      }
      if (p[F.p_origin] !== "gazetteer") {
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(el("span", "nkmap-badge", "matched from " + p[F.p_origin]));
      }
      root.appendChild(meta);
      var sections = {};
      rows.forEach(function (m) {
        var a = articles[m[F.m_article]];
        var section = sections[m[F.m_article]];
        if (!section) {
          section = sections[m[F.m_article]] = el("div", "nkmap-article");
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
          section.appendChild(el("div", "nkmap-meta", [a.outlet, a.date || "undated"].filter(Boolean).join(" · ")));
          section.appendChild(el("ul"));
          root.appendChild(section);
        }
        var start = m[F.m_start], end = m[F.m_end], s0 = m[F.m_sentence_start], s1 = m[F.m_sentence_end];
        var item = el("li");
        if (m[F.m_role]) item.appendChild(el("span", "nkmap-role nkmap-role-" + m[F.m_role], m[F.m_role]));
        var excerpt = el("a", "nkmap-excerpt");
        excerpt.href = articleHash(a, start, end);
        excerpt.title = "Read the whole article with this mention highlighted";
        highlighted(excerpt, a.text.slice(s0, s1), start - s0, end - s0);
        item.appendChild(excerpt);
        section.lastChild.appendChild(item);
      });
      return root;
    }

    /* ---- markers: one canvas circle per place, clustered ---- */
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, animate: false });
    var markers = {}, markerList = [], counts = places.map(function (p, i) { return byPlace[i].length; });
    /* a country the articles name is shaded on the basemap, not pinned at its capital */
    var areas = {}, areaLayer = L.layerGroup().addTo(map);
    var maxMentions = Math.max.apply(null, counts.concat([1]));
    function shadeOf(count) { return 0.12 + 0.33 * Math.sqrt(count / maxMentions); }
    places.forEach(function (p, index) {
      var shape = p[F.p_kind] === "country" && shapes[p[F.p_country]];
      if (!shape) return;
      var area = L.geoJSON(shape, { style: { color: "#7c3aed", weight: 1, opacity: 0.6,
                                             fillColor: "#7c3aed", fillOpacity: shadeOf(counts[index]) } });
      area.nkmapId = p[F.p_id];
      area.nkmapArea = true;
      area.bindTooltip(function () { return el("span", null, p[F.p_name] + " (" + counts[index] + ")"); },
                       { sticky: true });
      area.bindPopup(function () { return popupFor(index); }, { maxWidth: 360, minWidth: 240 });
      areas[index] = area;
    });

    places.forEach(function (p, index) {
      if (areas[index]) { markerList.push(null); return; }
      var marker = L.circleMarker([p[F.p_lat], p[F.p_lon]], {
        radius: radiusOf(counts[index]), color: "#fff", weight: 1.5, fillOpacity: 0.85,
        fillColor: kindRow(p[F.p_kind]).colour,
      });
      marker.nkmapId = p[F.p_id];
      marker.bindTooltip(function () { return el("span", null, p[F.p_name] + " (" + counts[index] + ")"); });
      marker.bindPopup(function () { return popupFor(index); }, { maxWidth: 360, minWidth: 240 });
      markers[p[F.p_id]] = marker;
      markerList.push(marker);
    });
    map.addLayer(cluster);

    var status = el("div", "nkmap-status");
    var isShown = places.map(function () { return false; });
    function update() {
      computeArticles();
      var add = [], remove = [], nShown = 0;
      places.forEach(function (p, index) {
        var n = 0;
        byPlace[index].forEach(function (m) { if (mentionOn(m)) n++; });
        counts[index] = n;
        var layer = areas[index] || markerList[index];
        if (n) {
          nShown++;
          if (areas[index]) layer.setStyle({ fillOpacity: shadeOf(n) }); else layer.setRadius(radiusOf(n));
          if (!isShown[index]) add.push(layer);
        } else if (isShown[index]) {
          remove.push(layer);
        }
        isShown[index] = n > 0;
      });
      map.closePopup();
      /* re-cluster only what changed: much cheaper than clearing thousands of markers */
      var gone = remove.filter(function (l) { return !l.nkmapArea; });
      var come = add.filter(function (l) { return !l.nkmapArea; });
      if (gone.length) cluster.removeLayers(gone);
      if (come.length) cluster.addLayers(come);
      remove.forEach(function (l) { if (l.nkmapArea) areaLayer.removeLayer(l); });
      add.forEach(function (l) { if (l.nkmapArea) areaLayer.addLayer(l); });
      var nArticles = articleOn.filter(Boolean).length;
      status.textContent = nShown + " of " + places.length + " places · " + nArticles + " of " +
        articles.length + " articles";
      return nShown;
    }

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
        var input = el("input");
        input.type = "range"; input.min = 0; input.max = dates.length - 1; input.step = 1;
        input.value = range[which]; input.className = "nkmap-" + which;
        input.setAttribute("aria-label", which === "from" ? "earliest article date" : "latest article date");
        input.addEventListener("input", function () {
          range[which] = +input.value;
          if (range.from > range.to) {  // the thumbs may not cross: push the other one along
            var other = which === "from" ? "to" : "from";
            range[other] = range[which];
            inputs[other === "from" ? 0 : 1].value = range[which];
          }
          showRange();
          update();
        });
        time.appendChild(input);
        return input;
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
    outlets = checkboxList("Outlets", outletKeys.map(function (o) {
      var n = articles.filter(function (a) { return (a.outlet || "") === o; }).length;
      return { key: o, label: o || "(no outlet)", sub: "(" + n + ")" };
    }), update);
    body.appendChild(outlets.node);
    chosen = checkboxList("Articles", articles.map(function (a, i) {
      return { key: String(i), label: a.title || a.name, sub: a.date || "undated" };
    }), update);
    chosen.node.classList.add("nkmap-article-list");
    body.appendChild(chosen.node);
    roles = checkboxList("Mention roles", roleKeys.map(function (r) {
      return { key: r, label: r || "other" };
    }), update);
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

    /* ---- the legend: colour = kind, size = mentions ---- */
    var legend = el("div", "nkmap-legend leaflet-bar");
    var kindsShown = new Set(places.map(function (p) { return kindRow(p[F.p_kind]); }));
    KINDS.forEach(function (row) {
      if (!kindsShown.has(row)) return;
      var line = el("div", "nkmap-legend-row");
      var dot = el("span", "nkmap-dot");
      dot.style.background = row.colour;
      line.appendChild(dot);
      line.appendChild(el("span", null, row.label));
      legend.appendChild(line);
    });
    var maxCount = Math.max.apply(null, [1].concat(counts));
    var sizes = el("div", "nkmap-legend-sizes");
    [1, 10, 50].filter(function (n, i) { return i === 0 || n <= maxCount; }).forEach(function (n) {
      var item = el("span", "nkmap-size");
      var dot = el("span", "nkmap-dot");
      var d = 2 * radiusOf(n);
      dot.style.width = dot.style.height = d + "px";
      item.appendChild(dot);
      item.appendChild(el("span", null, String(n)));
      sizes.appendChild(item);
    });
    legend.appendChild(sizes);
    legend.appendChild(el("div", "nkmap-legend-note", "mentions per place"));
    var Legend = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () { return legend; },
    });
    new Legend().addTo(map);

    update();

    /* first view: the places themselves, not the capitals that stand for whole countries */
    var focus = places.filter(function (p) { return WIDE_KINDS.indexOf(p[F.p_kind]) < 0; });
    if (!focus.length) focus = places;
    if (focus.length) {
      map.fitBounds(focus.map(function (p) { return [p[F.p_lat], p[F.p_lon]]; }),
                    { padding: [40, 40], maxZoom: 9, animate: false });
    }

    /* ---- the article view ---- */
    var view = el("div");
    view.id = "nkmap-article";
    map.getContainer().parentNode.appendChild(view);
    L.DomEvent.disableClickPropagation(view);
    L.DomEvent.disableScrollPropagation(view);

    function showArticle(name, start, end) {
      var a = articles.find(function (x) { return x.name === name; });
      if (!a) return;
      view.textContent = "";
      var header = el("header");
      var close = el("button", "nkmap-close", "×");
      close.title = "Close";
      close.onclick = function () { view.classList.remove("nkmap-open"); history.replaceState(null, "", " "); };
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
      view.appendChild(header);
      var text = el("div", "nkmap-text");
      view.appendChild(text);
      view.classList.add("nkmap-open");
      if (start >= 0 && end <= a.text.length && start < end) {
        var mark = highlighted(text, a.text, start, end);
        mark.id = "nkmap-current";
        mark.scrollIntoView({ block: "center" });
      } else {
        text.textContent = a.text;
      }
    }

    function onHash() {
      var m = /^#article=([^&]*)&start=(\d+)&end=(\d+)$/.exec(location.hash);
      if (m) showArticle(decodeURIComponent(m[1]), +m[2], +m[3]);
    }
    window.addEventListener("hashchange", onHash);
    onHash();

    /* show a place's marker on screen (zooming in, spiderfying its cluster); calls done(marker) */
    function showPlace(id, done) {
      var area = areas[places.findIndex(function (p) { return p[F.p_id] === id; })];
      if (area) {
        if (!areaLayer.hasLayer(area)) return false;
        map.fitBounds(area.getBounds(), { animate: false });
        done(area);
        return true;
      }
      var marker = markers[id];
      if (!marker || !cluster.hasLayer(marker)) return false;
      /* a circle marker is on the map only while it stands alone; clusters update
         synchronously (animate: false), so step in to the lowest zoom that shows it */
      for (var z = map.getZoom(); !map.hasLayer(marker) && z <= map.getMaxZoom(); z++) {
        map.setView(marker.getLatLng(), z, { animate: false });
      }
      var parent = marker.__parent;
      while (parent && !parent._icon) parent = parent.__parent;
      if (!map.hasLayer(marker) && parent) {
        cluster.once("spiderfied", function () { done(marker); });
        parent.spiderfy();
      } else {
        done(marker);
      }
      return true;
    }

    window.nkmap = {
      map: map, cluster: cluster, markers: markers, areas: areaLayer, showArticle: showArticle, showPlace: showPlace,
      update: update,
      /* show a place's marker and open its popup */
      openPlace: function (id) { return showPlace(id, function (m) { m.openPopup(); }); },
      /* how many places pass the filters (markers in the cluster group) */
      shownCount: function () { return cluster.getLayers().length + areaLayer.getLayers().length; },
      /* how many countries are shaded */
      shadedCount: function () { return areaLayer.getLayers().length; },
      /* how many of those are drawn in the current view, alone or inside a cluster icon */
      drawnCount: function () {
        return cluster.getLayers().filter(function (m) {
          if (map.hasLayer(m)) return true;  // a circle marker standing alone is on the map itself
          var parent = m.__parent;
          while (parent && !parent._icon) parent = parent.__parent;
          return !!parent;
        }).length;
      },
    };
    /* markers are drawn on the canvas in the next frame; flag the page ready after it */
    requestAnimationFrame(function () {
      window.nkmap.readyMs = performance.now();
      window.nkmapReady = true;
    });
  }

  window.nkmapBasemap = basemap;
  window.nkmapInit = init;
})();
