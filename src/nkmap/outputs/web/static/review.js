/* nkmap review panel: the names awaiting review, "not a place" / "wrong place" in every popup,
 * corrections collected in the page and exported as the corrections file that
 * `nkmap build --corrections FILE` reads. No server: everything stays in the page.
 * Article text is untrusted: it reaches the page through textContent only, never innerHTML. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function button(label, onClick, className) {
    var b = el("button", "nkmap-review-button" + (className ? " " + className : ""), label);
    b.type = "button";
    b.addEventListener("click", function (e) { e.preventDefault(); e.stopPropagation(); onClick(b); });
    return b;
  }

  /* the folded form nkmap compares names by (close to nkmap.names.name_key): for sorting only */
  function fold(name) {
    return name.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[\s\-\u2010-\u2015]+/g, " ").trim();
  }

  var FIELD_ORDER = ["action", "name", "to", "geonames", "lat", "lon", "articles"];

  /* one entry as nkmap writes it: fields in a fixed order, ", " and ": " separators */
  function entryLine(c) {
    return "{" + FIELD_ORDER.filter(function (f) {
      return c[f] !== undefined && c[f] !== null && !(f === "articles" && !c[f].length);
    }).map(function (f) {
      var v = c[f];
      if (f === "articles") return '"articles": [' + v.slice().sort().map(function (a) { return JSON.stringify(a); }).join(", ") + "]";
      if ((f === "lat" || f === "lon") && Number.isInteger(v)) return '"' + f + '": ' + v + ".0";
      return '"' + f + '": ' + JSON.stringify(v);
    }).join(", ") + "}";
  }

  function fileText(list) {
    var lines = list.map(function (c) { return { c: c, line: entryLine(c) }; });
    lines.sort(function (a, b) {
      var ka = [fold(a.c.name), a.c.name, a.c.action, (a.c.articles || []).join("\u0000"), a.line];
      var kb = [fold(b.c.name), b.c.name, b.c.action, (b.c.articles || []).join("\u0000"), b.line];
      for (var i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
      return 0;
    });
    var body = lines.map(function (x) { return "    " + x.line; }).join(",\n");
    return '{\n  "nkmap_corrections": 1,\n  "corrections": [' + (body ? "\n" + body + "\n  " : "") + "]\n}\n";
  }

  /* "geneva" → a curated id; "379555" → a GeoNames id; "13.6, 25.3" → a point; else null */
  function parseTarget(text) {
    var t = (text || "").trim();
    var point = /^(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)$/.exec(t);
    if (point) {
      var lat = +point[1], lon = +point[2];
      if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) return { lat: lat, lon: lon };
      return null;
    }
    if (/^\d+$/.test(t) && +t > 0) return { geonames: +t };
    if (/^[a-z0-9][a-z0-9-]*$/.test(t)) return { to: t };
    return null;
  }

  function review(map, data) {
    var corrections = (data.corrections || []).slice();  // the file's entries, then the page's
    var fromFile = corrections.length;
    var low = new Set(data.low || []);
    var surfaces = data.surfaces || {};
    var nkmap = window.nkmap || {};
    var markers = nkmap.markers || {};
    var marked = {};  // place id → "not-a-place" | "pin", decided in this page

    /* ---- low-confidence places look different: a dashed amber outline ---- */
    low.forEach(function (id) {
      var m = markers[id];
      if (m && m.setStyle) m.setStyle({ color: "#b45309", weight: 2.5, dashArray: "4 3" });
    });
    var legend = document.querySelector(".nkmap-legend");
    if (legend && low.size) {
      var row = el("div", "nkmap-legend-row nkmap-review-legend");
      row.appendChild(el("span", "nkmap-dot nkmap-review-low-dot"));
      row.appendChild(el("span", null, "dashed outline: low confidence (below " + data.threshold + "), see Review"));
      legend.insertBefore(row, legend.querySelector(".nkmap-legend-sizes"));
    }

    /* ---- the collection of corrections ---- */
    function add(entry) {
      /* one decision per name and scope: a new one replaces the earlier one */
      corrections = corrections.filter(function (c) {
        return !(fold(c.name) === fold(entry.name) && !(c.articles || []).length && !(entry.articles || []).length);
      });
      corrections.push(entry);
      render();
    }
    function remove(index) {
      corrections.splice(index, 1);
      render();
    }
    function notAPlace(names) {
      names.forEach(function (name) { add({ action: "not-a-place", name: name }); });
    }
    function pin(names, target) {
      names.forEach(function (name) {
        var entry = { action: "pin", name: name };
        Object.keys(target).forEach(function (k) { entry[k] = target[k]; });
        add(entry);
      });
    }
    function dim(id, how) {
      marked[id] = how;
      var m = markers[id];
      if (m && m.setStyle) m.setStyle({ fillOpacity: 0.25, opacity: 0.5 });
    }

    /* a small "wrong place" form: a curated id, a GeoNames id, "lat, lon", or a click on the map */
    function pinForm(names, done) {
      var form = el("form", "nkmap-review-pin");
      var input = el("input");
      input.type = "text";
      input.placeholder = "gazetteer id, GeoNames id, or lat, lon";
      input.setAttribute("aria-label", "the right place for " + names.join(", "));
      var note = el("div", "nkmap-review-note");
      form.appendChild(input);
      form.appendChild(el("button", "nkmap-review-button", "Pin"));
      form.appendChild(button("pick on map", function () {
        note.textContent = "click the map where " + names[0] + " is";
        map.getContainer().classList.add("nkmap-review-picking");
        map.once("click", function (e) {
          map.getContainer().classList.remove("nkmap-review-picking");
          input.value = e.latlng.lat.toFixed(5) + ", " + e.latlng.lng.toFixed(5);
          note.textContent = "";
        });
      }));
      form.appendChild(note);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var target = parseTarget(input.value);
        if (!target) { note.textContent = "not a gazetteer id, a GeoNames id or lat, lon"; return; }
        pin(names, target);
        done(target);
      });
      L.DomEvent.disableClickPropagation(form);
      return form;
    }

    /* ---- actions in every marker's popup ---- */
    map.on("popupopen", function (e) {
      var root = e.popup._contentNode && e.popup._contentNode.querySelector(".nkmap-popup");
      var id = root && root.dataset.place;  /* the popup is shared by every marker: the content says whose */
      if (!id || !root || root.querySelector(".nkmap-review-actions")) return;
      var names = surfaces[id] || [];
      var box = el("div", "nkmap-review-actions");
      if (low.has(id)) box.appendChild(el("span", "nkmap-badge nkmap-review-low", "low confidence"));
      var state = el("span", "nkmap-review-note", marked[id] ? "marked: " + marked[id] : "");
      box.appendChild(button("not a place", function () {
        notAPlace(names);
        dim(id, "not a place");
        state.textContent = "marked: not a place (" + names.join(", ") + ")";
      }, "nkmap-review-not-a-place"));
      box.appendChild(button("wrong place", function (b) {
        if (box.querySelector("form")) return;
        box.appendChild(pinForm(names, function (target) {
          dim(id, "pinned");
          state.textContent = "pinned " + names.join(", ") + " to " + describe(target);
          var form = box.querySelector("form");
          if (form) form.remove();
        }));
        b.disabled = true;
      }, "nkmap-review-wrong-place"));
      box.appendChild(state);
      root.insertBefore(box, root.children[2] || null);
      if (e.popup._updateLayout) { e.popup._updateLayout(); e.popup._updatePosition(); }  // not update(): it re-renders the content
    });

    function describe(c) {
      if (c.to) return c.to;
      if (c.geonames) return "geonames:" + c.geonames;
      if (c.lat !== undefined) return c.lat + ", " + c.lon;
      return "";
    }

    /* ---- the panel: a button (top left) that opens it ---- */
    var panel = el("div", "nkmap-review leaflet-bar");
    var toggle = button("Review (" + data.awaiting + ")", function () {
      var open = panel.classList.toggle("nkmap-review-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }, "nkmap-review-toggle");
    toggle.setAttribute("aria-expanded", "false");
    toggle.title = "Names nkmap doubted or did not map, and corrections to export";
    panel.appendChild(toggle);
    var body = el("div", "nkmap-review-body");
    panel.appendChild(body);

    var rowsBox = el("section", "nkmap-review-rows");
    rowsBox.appendChild(el("h3", null, data.awaiting + (data.awaiting === 1 ? " name" : " names") + " awaiting review"));
    if (data.corrected) rowsBox.appendChild(el("div", "nkmap-review-note", data.corrected + " settled by corrections"));
    var list = el("ol", "nkmap-review-list");
    (data.rows || []).forEach(function (r) {
      var item = el("li", "nkmap-review-row nkmap-review-" + r.status.replace(/\s+/g, "-"));
      var head = el("div", "nkmap-review-head");
      head.appendChild(el("strong", "nkmap-review-name", r.name));
      head.appendChild(el("span", "nkmap-review-reason", " " + r.reason + " · " + r.count +
        (r.count === 1 ? " mention" : " mentions")));
      item.appendChild(head);
      item.appendChild(el("div", "nkmap-review-example", r.example));
      var where = r.articles.join(", ") + (r.more_articles ? " and " + r.more_articles + " more" : "");
      item.appendChild(el("div", "nkmap-review-note", where));
      if (r.candidates.length) {
        item.appendChild(el("div", "nkmap-review-note", (r.place ? "mapped to " : "weighed: ") + r.candidates.map(function (c) {
          return c.name + (c.country ? ", " + c.country : "") + " " + c.score;
        }).join("; ")));
      }
      var actions = el("div", "nkmap-review-actions");
      if (r.place && nkmap.openPlace) actions.appendChild(button("show", function () { nkmap.openPlace(r.place); }));
      var state = el("span", "nkmap-review-note");
      actions.appendChild(button("not a place", function () {
        notAPlace([r.name]);
        if (r.place) dim(r.place, "not a place");
        state.textContent = "marked: not a place";
        item.classList.add("nkmap-review-done");
      }, "nkmap-review-not-a-place"));
      actions.appendChild(button(r.place ? "wrong place" : "pin", function (b) {
        actions.appendChild(pinForm([r.name], function (target) {
          if (r.place) dim(r.place, "pinned");
          state.textContent = "pinned to " + describe(target);
          item.classList.add("nkmap-review-done");
          var form = actions.querySelector("form");
          if (form) form.remove();
        }));
        b.disabled = true;
      }, "nkmap-review-wrong-place"));
      actions.appendChild(state);
      item.appendChild(actions);
      list.appendChild(item);
    });
    rowsBox.appendChild(list);
    if (data.awaiting > (data.rows || []).length) {
      rowsBox.appendChild(el("div", "nkmap-review-note", "and " + (data.awaiting - data.rows.length) +
        " more in review.csv"));
    }
    body.appendChild(rowsBox);

    var exportBox = el("section", "nkmap-review-export");
    body.appendChild(exportBox);
    var lastUrl = null;

    function render() {
      exportBox.textContent = "";
      exportBox.appendChild(el("h3", null, "Corrections (" + corrections.length + ")"));
      var ul = el("ul", "nkmap-review-corrections");
      corrections.forEach(function (c, i) {
        var li = el("li");
        li.appendChild(el("span", null, c.action + " " + c.name + (describe(c) ? " → " + describe(c) : "") +
          ((c.articles || []).length ? " in " + c.articles.join(", ") : "") + (i < fromFile ? " (from the file)" : "")));
        li.appendChild(button("remove", function () {
          if (i < fromFile) fromFile--;
          remove(i);
        }));
        ul.appendChild(li);
      });
      exportBox.appendChild(ul);
      var text = fileText(corrections);
      var area = el("textarea", "nkmap-review-text");
      area.readOnly = true;
      area.rows = 6;
      area.value = text;
      area.setAttribute("aria-label", "the corrections file, to copy");
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      var download = el("a", "nkmap-review-download", "Download " + data.file);
      download.href = lastUrl;
      download.download = data.file;
      exportBox.appendChild(download);
      exportBox.appendChild(button("copy", function (b) {
        area.select();
        var done = function () { b.textContent = "copied"; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      }));
      exportBox.appendChild(area);
      exportBox.appendChild(el("div", "nkmap-review-note",
        "Save it as " + data.file + " in the articles folder (or pass --corrections FILE) and run nkmap build again."));
    }
    render();

    var ReviewControl = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        L.DomEvent.disableClickPropagation(panel);
        L.DomEvent.disableScrollPropagation(panel);
        return panel;
      },
    });
    new ReviewControl().addTo(map);

    window.nkmapReviewState = {
      corrections: function () { return corrections.slice(); },
      fileText: function () { return fileText(corrections); },
      low: function () { return Array.from(low); },
    };
  }

  window.nkmapReview = review;
})();
