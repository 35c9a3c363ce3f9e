/* nkmap: markers, popups and the article view, built from the data the page embeds once.
 * Article text is untrusted: it only ever enters the page through textContent / text nodes. */
(function () {
  "use strict";
  var KIND_COLOURS = { country: "#7c3aed", continent: "#7c3aed", region: "#2563eb", district: "#2563eb",
                       province: "#2563eb", feature: "#059669" };

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

  function init(map, data) {
    var F = data.fields;  // column positions of the compact rows
    var places = data.places, articles = data.articles, mentions = data.mentions;
    var byPlace = places.map(function () { return []; });
    mentions.forEach(function (m) { byPlace[m[F.m_place]].push(m); });

    function popupFor(index) {
      var p = places[index], rows = byPlace[index];
      var root = el("div", "nkmap-popup");
      root.appendChild(el("h3", null, p[F.p_name]));
      var nArticles = new Set(rows.map(function (m) { return m[F.m_article]; })).size;
      var meta = el("div", "nkmap-meta", [p[F.p_kind], p[F.p_country]].filter(Boolean).join(" · ") +
        " · " + rows.length + (rows.length === 1 ? " mention" : " mentions") + " in " + nArticles +
        (nArticles === 1 ? " article" : " articles"));
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
          section.appendChild(el("div", "nkmap-meta", [a.outlet, a.date].filter(Boolean).join(" · ")));
          section.appendChild(el("ul"));
          root.appendChild(section);
        }
        var start = m[F.m_start], end = m[F.m_end], s0 = m[F.m_sentence_start], s1 = m[F.m_sentence_end];
        var item = el("li");
        var excerpt = el("a", "nkmap-excerpt");
        excerpt.href = articleHash(a, start, end);
        excerpt.title = "Read the whole article with this mention highlighted";
        highlighted(excerpt, a.text.slice(s0, s1), start - s0, end - s0);
        item.appendChild(excerpt);
        section.lastChild.appendChild(item);
      });
      return root;
    }

    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, animate: false });
    var markers = {};
    var bounds = [];
    places.forEach(function (p, index) {
      var count = byPlace[index].length;
      var marker = L.circleMarker([p[F.p_lat], p[F.p_lon]], {
        radius: Math.min(24, 5 + 3 * Math.sqrt(count)),
        color: "#fff", weight: 1.5, fillOpacity: 0.85,
        fillColor: KIND_COLOURS[p[F.p_kind]] || "#dc2626",
      });
      marker.nkmapId = p[F.p_id];
      marker.bindTooltip(el("span", null, p[F.p_name] + " (" + count + ")"));
      marker.bindPopup(function () { return popupFor(index); }, { maxWidth: 360, minWidth: 240 });
      markers[p[F.p_id]] = marker;
      bounds.push([p[F.p_lat], p[F.p_lon]]);
      cluster.addLayer(marker);
    });
    map.addLayer(cluster);
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 9 });

    var panel = el("div");
    panel.id = "nkmap-article";
    map.getContainer().parentNode.appendChild(panel);
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);

    function showArticle(name, start, end) {
      var a = articles.find(function (x) { return x.name === name; });
      if (!a) return;
      panel.textContent = "";
      var header = el("header");
      var close = el("button", "nkmap-close", "×");
      close.title = "Close";
      close.onclick = function () { panel.classList.remove("nkmap-open"); history.replaceState(null, "", " "); };
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
      panel.appendChild(header);
      var body = el("div", "nkmap-text");
      panel.appendChild(body);
      panel.classList.add("nkmap-open");
      if (start >= 0 && end <= a.text.length && start < end) {
        var mark = highlighted(body, a.text, start, end);
        mark.id = "nkmap-current";
        mark.scrollIntoView({ block: "center" });
      } else {
        body.textContent = a.text;
      }
    }

    function onHash() {
      var m = /^#article=([^&]*)&start=(\d+)&end=(\d+)$/.exec(location.hash);
      if (m) showArticle(decodeURIComponent(m[1]), +m[2], +m[3]);
    }
    window.addEventListener("hashchange", onHash);
    onHash();

    window.nkmap = {
      map: map, cluster: cluster, markers: markers, showArticle: showArticle,
      /* show a place's marker (unclustering or spiderfying it) and open its popup */
      openPlace: function (id) {
        var marker = markers[id];
        if (!marker) return false;
        var open = function () { marker.openPopup(); };
        /* a circle marker is on the map only while it stands alone; clusters update
           synchronously (animate: false), so step in to the lowest zoom that shows it */
        for (var z = map.getZoom(); !map.hasLayer(marker) && z <= map.getMaxZoom(); z++) {
          map.setView(marker.getLatLng(), z, { animate: false });
        }
        var parent = marker.__parent;
        while (parent && !parent._icon) parent = parent.__parent;
        if (!map.hasLayer(marker) && parent) {
          cluster.once("spiderfied", open);
          parent.spiderfy();
        } else {
          open();
        }
        return true;
      },
    };
  }

  window.nkmapInit = init;
})();
