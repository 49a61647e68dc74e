// Participation: the idea map (one GeoJSON request, grid clusters drawn on one canvas, no
// DOM node per idea) and the point picker of the idea form. No inline scripts: data come
// from data-* attributes and <script type="application/json"> blocks.
(function () {
  "use strict";

  var CELL_PX = 56;
  var COLOR = "#8c1d40";

  function baseMap(el) {
    var map = L.map(el, { zoomSnap: 1, preferCanvas: true });
    var tiles = document.body.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    }
    var center = (el.dataset.centerLatlon || "48.6,9.0").split(",");
    map.setView([+center[0], +center[1]], el.dataset.centerLatlon ? 15 : 7);
    return map;
  }

  // A circle on the shared canvas with its count written inside.
  var ClusterMarker = L.CircleMarker.extend({
    _updatePath: function () {
      this._renderer._updateCircle(this);
      var count = this.options.count;
      if (count > 1 && this._renderer._ctx) {
        var ctx = this._renderer._ctx, p = this._point;
        ctx.save();
        ctx.fillStyle = "#fff";
        ctx.font = "bold 12px system-ui, sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText(count > 9999 ? Math.round(count / 1000) + "k" : String(count), p.x, p.y);
        ctx.restore();
      }
    },
  });

  function ideaMap(el) {
    if (el.dataset.ready) return;
    el.dataset.ready = "1";
    var map = baseMap(el);
    var renderer = L.canvas({ padding: 0.2 });
    var layer = L.layerGroup().addTo(map);
    var status = el.parentElement.querySelector("[data-map-status]");
    var ideaUrl = el.dataset.ideaUrl || "";
    var points = null; // {lat, lon, id, name} as parallel arrays
    var byZoom = {};

    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var features = data.features || [];
        var n = features.length;
        points = { lat: new Float64Array(n), lon: new Float64Array(n), id: new Array(n), name: new Array(n) };
        var bounds = L.latLngBounds([]);
        for (var i = 0; i < n; i++) {
          var c = features[i].geometry.coordinates;
          points.lon[i] = c[0];
          points.lat[i] = c[1];
          points.id[i] = features[i].id;
          points.name[i] = features[i].properties.n;
          bounds.extend([c[1], c[0]]);
        }
        if (status) status.textContent = n + " " + (el.dataset.labelIdeas || "");
        if (n) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
        draw();
        map.on("zoomend moveend", draw);
      });

    // Grid clusters of all points at one zoom level: cells of CELL_PX screen pixels.
    function clustersAt(zoom) {
      if (byZoom[zoom]) return byZoom[zoom];
      var cells = new Map();
      var scale = 256 * Math.pow(2, zoom);
      for (var i = 0; i < points.id.length; i++) {
        // Web Mercator pixel coordinates, as Leaflet projects them.
        var x = (points.lon[i] + 180) / 360 * scale;
        var s = Math.sin(points.lat[i] * Math.PI / 180);
        var y = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale;
        var key = Math.floor(x / CELL_PX) + ":" + Math.floor(y / CELL_PX);
        var cell = cells.get(key);
        if (!cell) { cell = { lat: 0, lon: 0, count: 0, first: i }; cells.set(key, cell); }
        cell.lat += points.lat[i];
        cell.lon += points.lon[i];
        cell.count += 1;
      }
      var list = [];
      cells.forEach(function (cell) {
        list.push({ lat: cell.lat / cell.count, lon: cell.lon / cell.count, count: cell.count, first: cell.first });
      });
      byZoom[zoom] = list;
      return list;
    }

    function draw() {
      if (!points) return;
      layer.clearLayers();
      var visible = map.getBounds().pad(0.2);
      var clusters = clustersAt(map.getZoom());
      for (var i = 0; i < clusters.length; i++) {
        var c = clusters[i];
        if (!visible.contains([c.lat, c.lon])) continue;
        var radius = c.count === 1 ? 7 : Math.min(26, 10 + 3 * Math.log(c.count));
        var marker = new ClusterMarker([c.lat, c.lon], {
          renderer: renderer, radius: radius, count: c.count, color: "#fff", weight: 2,
          fillColor: COLOR, fillOpacity: 0.9,
        });
        if (c.count === 1) {
          var link = document.createElement("a");
          link.href = ideaUrl.replace(/0\/$/, points.id[c.first] + "/");
          link.textContent = points.name[c.first];
          marker.bindPopup(link);
        } else {
          marker.on("click", zoomInto(c));
        }
        layer.addLayer(marker);
      }
    }

    function zoomInto(cluster) {
      return function () { map.setView([cluster.lat, cluster.lon], Math.min(map.getZoom() + 2, 19)); };
    }
  }

  function pointPicker(el) {
    var lat = document.querySelector("[data-lat-input]");
    var lon = document.querySelector("[data-lon-input]");
    if (!lat || !lon) return;
    var map = baseMap(el);
    var outline = el.dataset.outline && document.getElementById(el.dataset.outline);
    if (outline) {
      var feature = JSON.parse(outline.textContent);
      if (feature && feature.geometry) {
        L.geoJSON(feature, { style: { color: "#1d5a8c", weight: 2, fill: false } }).addTo(map);
      }
    }
    var marker = null;
    function place(latlng, zoom) {
      if (!marker) {
        marker = L.circleMarker(latlng, { radius: 8, color: COLOR, weight: 2, fillOpacity: 0.8 }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      if (zoom) map.setView(latlng, 16);
    }
    if (lat.value && lon.value) place([+lat.value, +lon.value], true);
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      place(e.latlng, false);
    });
    function typed() {
      if (lat.value && lon.value && isFinite(+lat.value) && isFinite(+lon.value)) {
        place([+lat.value, +lon.value], true);
      }
    }
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
  }

  function start() {
    document.querySelectorAll("[data-idea-map]").forEach(ideaMap);
    document.querySelectorAll("[data-point-picker]").forEach(pointPicker);
    // After htmx swapped the comments, focus the confirmation or the error summary.
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail && event.detail.elt;
      var focus = document.querySelector("#comments [data-focus-after-swap]");
      if (focus) { focus.focus(); return; }
      // Filters keep the focus; a status line outside the swapped part reads the count.
      var heading = document.getElementById("results-heading");
      var status = document.querySelector("[data-results-status]");
      if (target && heading && status) status.textContent = heading.textContent;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
