// Anchors: the map beside the search results (also after HTMX swaps), "use my position",
// and the point picker of the registration form. No inline scripts: data come from
// data-* attributes and <script type="application/json"> blocks.
(function () {
  "use strict";

  function baseMap(el) {
    var map = L.map(el, { zoomSnap: 0.25 });
    var tiles = document.body.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([48.6, 9.0], 7);
    return map;
  }

  function resultMap(el) {
    if (el.dataset.ready) return;
    el.dataset.ready = "1";
    var source = document.getElementById(el.dataset.anchorMap);
    var data = source ? JSON.parse(source.textContent) : null;
    var map = baseMap(el);
    if (!data || !data.features || !data.features.length) return;
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 7, color: "#8c1d40", weight: 2, fillOpacity: 0.8 });
      },
      onEachFeature: function (feature, marker) {
        var link = document.createElement("a");
        link.href = feature.properties.url;
        link.textContent = feature.properties.name;
        marker.bindPopup(link);
      },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 15 });
  }

  function geolocation(form) {
    var button = form.querySelector("[data-geolocate]");
    var status = form.querySelector("[data-geo-status]");
    var lat = form.querySelector("[data-geo-lat]");
    var lon = form.querySelector("[data-geo-lon]");
    var near = form.querySelector("input[name=near]");
    var quarter = form.querySelector("input[name=quarter]");
    if (!button || !lat || !lon || !navigator.geolocation) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = form.dataset.geoFinding;
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        if (near) near.value = "";
        if (quarter) quarter.value = "";
        status.textContent = "";
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }, function () {
        status.textContent = form.dataset.geoFailed;
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
    });
    // A typed place replaces the position and the quarter the search came from.
    if (near) near.addEventListener("input", function () {
      lat.value = ""; lon.value = "";
      if (quarter) quarter.value = "";
    });
  }

  function pointPicker(el) {
    var lat = document.querySelector("[data-lat-input]");
    var lon = document.querySelector("[data-lon-input]");
    if (!lat || !lon) return;
    var map = baseMap(el);
    var marker = null;
    function place(latlng, zoom) {
      if (!marker) {
        marker = L.circleMarker(latlng, { radius: 8, color: "#8c1d40", weight: 2, fillOpacity: 0.8 }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      if (zoom) map.setView(latlng, 15);
    }
    if (lat.value && lon.value) {
      place([+lat.value, +lon.value], true);
    } else if (el.dataset.centerLatlon) {
      var ll = el.dataset.centerLatlon.split(",");
      map.setView([+ll[0], +ll[1]], +(el.dataset.centerZoom || 12));
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

  function init(root) {
    root.querySelectorAll("[data-anchor-map]").forEach(resultMap);
  }

  function start() {
    init(document);
    document.querySelectorAll("[data-geo-form]").forEach(geolocation);
    document.querySelectorAll("[data-point-picker]").forEach(pointPicker);
    document.body.addEventListener("htmx:afterSettle", function (event) {
      init(event.target);
      // Say how many places were found, without moving the focus away from the filters.
      var heading = document.getElementById("results-heading");
      var status = document.querySelector("[data-results-status]");
      if (heading && status) status.textContent = heading.textContent;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
