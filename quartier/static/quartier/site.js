// Quartier: maps (Leaflet) and small behaviours. No inline scripts: data comes from
// data-* attributes and <script type="application/json"> blocks.
(function () {
  "use strict";

  var STYLES = {
    area: { color: "#1d5a8c", weight: 1.5, fillColor: "#3b82c4", fillOpacity: 0.25 },
    outline: { color: "#1d5a8c", weight: 2, fill: false },
  };

  function popup(feature) {
    var p = feature.properties || {};
    if (!p.url || !p.name) return null;
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    return link;
  }

  function layerFor(data, style) {
    return L.geoJSON(data, {
      style: function (feature) {
        // A choropleth takes each area's fill from the server (properties.fill).
        if (style === "choropleth") {
          return { color: "#333", weight: 1, fillColor: feature.properties.fill, fillOpacity: 0.8 };
        }
        return STYLES[style] || STYLES.area;
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 5, color: "#8c1d40", weight: 1, fillOpacity: 0.8 });
      },
      onEachFeature: function (feature, layer) {
        var content = popup(feature);
        if (content) layer.bindPopup(content);
      },
    });
  }

  function initMap(el) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
    var tiles = document.body.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([48.6, 9.0], 7);
    var group = L.featureGroup().addTo(map);
    var layers = JSON.parse(el.dataset.layers || "[]");
    var pending = layers.map(function (spec) {
      if (spec.script) {
        var data = JSON.parse(document.getElementById(spec.script).textContent);
        if (data && data.geometry) layerFor(data, spec.style).addTo(group);
        return Promise.resolve();
      }
      return fetch(spec.url, { headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { layerFor(data, spec.style).addTo(group); });
    });
    Promise.all(pending).then(function () {
      var bounds = group.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], maxZoom: 15 });
      if (el.hasAttribute("data-map-editor")) initEditor(map, group);
    });
    if (el.dataset.centerLatlon && !layers.length) {
      var ll = el.dataset.centerLatlon.split(",");
      if (ll.length === 2) map.setView([+ll[0], +ll[1]], 13);
    }
    if (el.hasAttribute("data-map-editor") && !layers.length) initEditor(map, group);
  }

  function initEditor(map, group) {
    var input = document.querySelector("[data-boundary-input]");
    if (!input || !map.pm) return;
    if (map.pm.setLang) map.pm.setLang(document.documentElement.lang === "de" ? "de" : "en");
    map.pm.addControls({
      position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
      drawRectangle: true, drawCircle: false, drawText: false, cutPolygon: false,
      rotateMode: false, dragMode: false,
    });
    labelControls(map.getContainer());
    group.eachLayer(function (layer) { if (layer.pm) layer.pm.enable({ allowSelfIntersection: false }); });
    function write() {
      var polygons = [];
      map.eachLayer(function (layer) {
        if (layer instanceof L.Polygon) {
          var g = layer.toGeoJSON().geometry;
          if (g.type === "Polygon") polygons.push(g.coordinates);
          else if (g.type === "MultiPolygon") polygons = polygons.concat(g.coordinates);
        }
      });
      if (!polygons.length) { input.value = ""; return; }
      input.value = JSON.stringify(polygons.length === 1
        ? { type: "Polygon", coordinates: polygons[0] }
        : { type: "MultiPolygon", coordinates: polygons });
    }
    map.on("pm:create", function (e) {
      e.layer.on("pm:edit", write);
      write();
    });
    map.on("pm:remove", write);
    group.eachLayer(function (layer) {
      layer.on("pm:edit", write);
      if (layer.eachLayer) layer.eachLayer(function (l) { l.on("pm:edit", write); });
    });
  }

  // Geoman's buttons carry their name only as the title of a wrapper, and its vertex handles
  // none at all: name both for screen readers, also for handles added later.
  function labelControls(container) {
    var vertexLabel = container.dataset.vertexLabel || "Vertex";
    function label() {
      container.querySelectorAll(".leaflet-buttons-control-button:not([aria-label])").forEach(function (a) {
        a.setAttribute("aria-label", a.parentElement.getAttribute("title") || "");
      });
      container.querySelectorAll(".leaflet-marker-icon[role=button]:not([aria-label])").forEach(function (m) {
        m.setAttribute("aria-label", vertexLabel);
      });
    }
    label();
    new MutationObserver(label).observe(container, { childList: true, subtree: true });
  }

  function init() {
    document.querySelectorAll("[data-map]").forEach(initMap);
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
