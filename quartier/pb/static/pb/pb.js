// Quarter budget: project maps, the point picker of the proposal form, and the running cost
// of the ballot (announced in an aria-live region). No inline scripts: data come from
// data-* attributes and <script type="application/json"> blocks. Every page works without
// this file: the ballot then shows the cost with the "Show the cost" button.
(function () {
  "use strict";

  function json(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function baseMap(el) {
    var map = L.map(el, { zoomSnap: 0.25 });
    var tiles = document.body.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([48.6, 9.0], 7);
    var area = json(el.dataset.area);
    var group = L.featureGroup().addTo(map);
    if (area && area.geometry) {
      L.geoJSON(area, { style: { color: "#1d5a8c", weight: 1.5, fillColor: "#3b82c4", fillOpacity: 0.15 } }).addTo(group);
    }
    return { map: map, group: group };
  }

  function projectMap(el) {
    var made = baseMap(el);
    var points = json(el.dataset.points);
    if (points && points.features && points.features.length) {
      L.geoJSON(points, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 8, color: "#8c1d40", weight: 2, fillOpacity: 0.8 });
        },
        onEachFeature: function (feature, marker) {
          var link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = feature.properties.name;
          marker.bindPopup(link);
        },
      }).addTo(made.group);
    }
    var bounds = made.group.getBounds();
    if (bounds.isValid()) made.map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
  }

  function pointPicker(el) {
    var lat = document.querySelector("[data-lat-input]");
    var lon = document.querySelector("[data-lon-input]");
    if (!lat || !lon) return;
    var made = baseMap(el);
    var map = made.map;
    var marker = null;
    function place(latlng, zoom) {
      if (!marker) {
        marker = L.circleMarker(latlng, { radius: 8, color: "#8c1d40", weight: 2, fillOpacity: 0.8 }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      if (zoom) map.setView(latlng, 16);
    }
    var bounds = made.group.getBounds();
    if (lat.value && lon.value) {
      place([+lat.value, +lon.value], true);
    } else if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [10, 10] });
    } else if (el.dataset.centerLatlon) {
      var ll = el.dataset.centerLatlon.split(",");
      map.setView([+ll[0], +ll[1]], 14);
    }
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

  function ballot(form) {
    var output = form.querySelector("[data-ballot-total]");
    if (!output) return;
    var lang = document.documentElement.lang || "de";
    var money = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR",
      minimumFractionDigits: 0, maximumFractionDigits: 2 });
    var budget = +form.dataset.budgetCents;
    var kind = form.dataset.kind;
    function fill(text, values) {
      return text.replace(/\{(\w+)\}/g, function (all, name) { return values[name]; });
    }
    function update() {
      var count = 0, cents = 0, points = 0;
      form.querySelectorAll(".ballot-item").forEach(function (item) {
        var input = item.querySelector("input, select");
        if (!input) return;
        var chosen;
        if (input.type === "checkbox" || input.type === "radio") chosen = input.checked;
        else {
          var value = parseInt(input.value, 10);
          chosen = value > 0;
          if (kind === "cumulative" && chosen) points += value;
        }
        if (chosen) { count += 1; cents += +item.dataset.cost; }
      });
      var values = { n: count, cost: money.format(cents / 100), budget: money.format(budget / 100),
        points: points, total: form.dataset.pointsTotal };
      var text = count === 0 ? form.dataset.textNone
        : fill(count === 1 ? form.dataset.textOne : form.dataset.textMany, values);
      if (cents > budget) text += " " + form.dataset.textOver;
      if (kind === "cumulative") text += " " + fill(form.dataset.textPoints, values);
      if (output.textContent !== text) output.textContent = text;
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    // With the running total the preview button is not needed.
    var preview = form.querySelector("[data-preview-button]");
    if (preview) preview.hidden = true;
    update();
  }

  function paperForm(form) {
    // After saving, the cursor goes back to the ballot number for the next sheet.
    var sheet = form.querySelector("input[name=sheet]");
    if (sheet && !document.querySelector("[data-autofocus]")) sheet.focus();
  }

  function start() {
    document.querySelectorAll("[data-pb-map]").forEach(projectMap);
    document.querySelectorAll("[data-point-picker]").forEach(pointPicker);
    document.querySelectorAll("[data-ballot]").forEach(ballot);
    document.querySelectorAll("[data-paper-form]").forEach(paperForm);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
