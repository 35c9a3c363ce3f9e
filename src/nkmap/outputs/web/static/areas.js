/* nkmap areas: the provinces (Natural Earth admin-1) around the mapped places, from the data the
 * page embeds as "nkmap-admin1" (nkmap/outputs/web/context.py, admin1_payload): the borders between
 * provinces once zoomed into a theatre, their names in nkmap.js's label pass (so they never overlap
 * another label), and the outline of every mapped place that is a province, which nkmap.js draws as
 * an area (with the marker's popup and tooltip) instead of a dot. Names are Natural Earth's and only
 * ever enter the page as text. */
(function () {
  "use strict";
  var BORDER_ZOOM = 5;  // the borders show from this zoom level: a theatre, not the world
  var data = { scale: 1, lines: [], labels: [], areas: {} };
  var shapes = {};  // place id → GeoJSON Feature of its outline

  /* integer steps of 1/scale degree → [[lon, lat], ...] (the packing of nkmap/basemap.py) */
  function unpack(steps, scale) {
    var out = new Array(steps.length / 2), x = 0, y = 0;
    for (var i = 0; i < steps.length; i += 2) {
      x += steps[i]; y += steps[i + 1];
      out[i / 2] = [x / scale, y / scale];
    }
    return out;
  }

  /* phases of start-up, for bench/page.py (as nkmap.js marks its own) */
  function mark(name) { if (window.performance && performance.mark) performance.mark(name); }

  function areas(map, packed) {
    var layer = draw(map, packed);
    mark("provinces drawn");
    return layer;
  }

  function draw(map, packed) {
    if (packed) data = packed;
    var scale = data.scale;
    shapes = {};
    Object.keys(data.areas).forEach(function (id) {
      shapes[id] = { type: "Feature", properties: {}, geometry: { type: "MultiPolygon",
        coordinates: data.areas[id].map(function (rings) {
          return rings.map(function (steps) { return unpack(steps, scale); });
        }) } };
    });
    if (!data.lines.length) return null;
    var pane = map.createPane("nkmap-admin1");
    pane.style.zIndex = 160;  // over the basemap (150), under tiles' labels and everything drawn on the map
    pane.style.pointerEvents = "none";
    var latlngs = data.lines.map(function (steps) {
      return unpack(steps, scale).map(function (p) { return [p[1], p[0]]; });
    });
    var layer = L.polyline(latlngs, {
      pane: "nkmap-admin1", renderer: L.canvas({ pane: "nkmap-admin1", padding: 0.3 }), interactive: false,
      color: "#b3aaa0", weight: 0.8, opacity: 1, dashArray: "4 3",
    });
    function toggle() {
      var on = map.getZoom() >= BORDER_ZOOM;
      if (on && !map.hasLayer(layer)) layer.addTo(map);
      if (!on && map.hasLayer(layer)) map.removeLayer(layer);
    }
    map.on("zoomend", toggle);
    toggle();
    window.nkmapAdmin1Layer = layer;
    return layer;
  }

  /* the outline of the place with this id, if it is a province the page has a shape for */
  function areaShape(id) {
    return Object.prototype.hasOwnProperty.call(shapes, id) ? shapes[id] : null;
  }

  /* called by nkmap.js's label pass after the places and countries: put(text, latlng, offsets)
     places a label where it overlaps nothing placed before, and says whether it did */
  function regionLabels(zoom, bounds, put) {
    for (var i = 0; i < data.labels.length; i++) {
      var row = data.labels[i];  // [name, lon, lat, min_zoom], sorted by min_zoom
      if (row[3] > zoom) break;
      var ll = L.latLng(row[2], row[1]);
      if (bounds.contains(ll)) put(row[0], ll, [[0, 0, 0.5], [0, 12, 0.5], [0, -12, 0.5]]);
    }
  }

  /* once the page is built: say in the legend what the areas and the dashed lines are */
  function legend(map) {
    var box = map.getContainer().querySelector(".nkmap-legend");
    if (!box) return;
    var sizes = box.querySelector(".nkmap-legend-sizes");
    function row(className, text) {
      var line = document.createElement("div");
      line.className = "nkmap-legend-row";
      var swatch = document.createElement("span");
      swatch.className = className;
      line.appendChild(swatch);
      var label = document.createElement("span");
      label.textContent = text;
      line.appendChild(label);
      box.insertBefore(line, sizes);
      return line;
    }
    if (Object.keys(shapes).length) {
      row("nkmap-area-swatch", "province or region: drawn as its area (shade = mentions)").classList.add("nkmap-legend-areas");
    }
    if (data.lines.length) row("nkmap-border-swatch", "province borders (zoomed in)").classList.add("nkmap-legend-borders");
  }

  window.nkmapAreas = areas;
  window.nkmapAreaShape = areaShape;
  window.nkmapRegionLabels = regionLabels;
  window.nkmapAreasLegend = legend;
})();
