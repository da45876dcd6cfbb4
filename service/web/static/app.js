// Page behaviour: CSRF header for htmx, calendars (FullCalendar), charts (Chart.js), copy buttons.
(function () {
  "use strict";
  var body = document.body;
  var lang = body.dataset.lang || "zh-CN";

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = body.dataset.csrf || "";
  });

  // Forms marked data-inline-errors show a refusal (4xx, an HTML fragment) in their target,
  // next to the button, instead of htmx dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (status >= 400 && status < 500 && source && source.closest("[data-inline-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function text(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var KIND_COLOURS = { booking: "#d92d20", maintenance: "#7a5af8", closed: "#98a2b3" };
  var STATUS_COLOURS = { pending: "#f79009", confirmed: "#1d5fa8", in_use: "#067647", held: "#667085",
                         maintenance: "#7a5af8" };

  function availabilitySource(url, labels) {
    return function (info, success, failure) {
      var query = "?from=" + encodeURIComponent(info.start.toISOString()) +
                  "&to=" + encodeURIComponent(info.end.toISOString());
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          var events = (data.busy || []).map(function (b) {
            return { start: b.start, end: b.end, title: labels[b.kind] || b.kind,
                     color: KIND_COLOURS[b.kind] || "#d92d20", classNames: ["busy-" + b.kind],
                     display: b.kind === "closed" ? "background" : "block" };
          });
          (data.free || []).forEach(function (f) {
            events.push({ start: f.start, end: f.end, display: "background", color: "#12b76a",
                          classNames: ["free"] });
          });
          success(events);
        })
        .catch(failure);
    };
  }

  function bookingsSource(url, labels) {
    return function (info, success, failure) {
      var query = "&from=" + encodeURIComponent(info.start.toISOString()) +
                  "&to=" + encodeURIComponent(info.end.toISOString());
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          var items = Array.isArray(data) ? data : (data.items || []);
          success(items.filter(function (b) { return STATUS_COLOURS[b.kind === "maintenance" ? "maintenance" : b.status]; })
            .map(function (b) {
              var key = b.kind === "maintenance" ? "maintenance" : b.status;
              return { start: b.start, end: b.end, title: labels[key] || key, color: STATUS_COLOURS[key],
                       classNames: ["status-" + key], url: b.kind === "maintenance" ? null : "#booking-" + b.id };
            }));
        })
        .catch(failure);
    };
  }

  function initCalendar(el) {
    if (!window.FullCalendar) { return; }
    var labels = text(el.dataset.labels) || {};
    var options = {
      plugins: [],
      timeZone: el.dataset.timezone || "Asia/Shanghai",
      locale: lang === "en" ? "en" : "zh-cn",
      initialView: window.innerWidth < 720 ? "timeGridDay" : "timeGridWeek",
      headerToolbar: { left: "prev,next today", center: "title", right: "timeGridWeek,timeGridDay" },
      allDaySlot: false, nowIndicator: true, height: "auto", slotMinTime: "06:00:00",
      slotMaxTime: "23:00:00", firstDay: 1, selectable: !!el.dataset.bookUrl, selectMirror: true,
      initialDate: el.dataset.initialDate || undefined,
      events: el.dataset.bookingsUrl ? bookingsSource(el.dataset.bookingsUrl, labels)
                                      : availabilitySource(el.dataset.availabilityUrl, labels)
    };
    if (el.dataset.bookUrl) {
      options.select = function (info) {
        window.location.href = el.dataset.bookUrl + "?start=" + encodeURIComponent(info.startStr) +
          "&end=" + encodeURIComponent(info.endStr);
      };
    }
    // FullCalendar's toolbar icons are role="img" without a name; the buttons carry the name.
    options.datesSet = function () {
      el.querySelectorAll(".fc-icon").forEach(function (icon) { icon.setAttribute("aria-hidden", "true"); });
    };
    var calendar = new FullCalendar.Calendar(el, options);
    calendar.render();
    el.fullCalendar = calendar;
  }

  function initChart(canvas) {
    if (!window.Chart) { return; }
    var config = text(canvas.dataset.config);
    if (!config) { return; }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    canvas.chart = new Chart(canvas, config);
  }

  function initCopy(button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      input.select();
      var done = function () { button.textContent = button.dataset.copied || button.textContent; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else { document.execCommand("copy"); done(); }
    });
  }

  function initConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  }

  // A list filtered as one types (the login page's institutions when there are many).
  function initFilter(input) {
    var list = document.getElementById(input.dataset.filter);
    var none = list.parentNode.querySelector(".sso-none");
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll("li").forEach(function (item) {
        var match = !needle || item.dataset.name.toLowerCase().indexOf(needle) >= 0;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (none) { none.hidden = shown > 0; }
    });
  }

  // The booking form's cost estimate: fee class x hours (x occurrences), redone as times change.
  // The server renders the first figure and the sentences; this only fills in the numbers.
  function initEstimate(node) {
    var form = node.closest("form");
    var rate = parseFloat(node.dataset.rate);
    var money = function (v) { return v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); };
    function update() {
      var start = form.querySelector("#start").value, end = form.querySelector("#end").value;
      var repeat = form.querySelector("#repeat"), count = form.querySelector("#count");
      var times = repeat && repeat.value && count ? Math.max(1, parseInt(count.value, 10) || 1) : 1;
      // Wall times of one zone: their difference is read as UTC so no DST of the browser enters.
      var ms = Date.parse(end + ":00Z") - Date.parse(start + ":00Z");
      if (!start || !end || !(ms > 0)) { node.textContent = node.dataset.empty; return; }
      var hours = Math.round(ms / 36000) / 100;
      var one = Math.round(rate * ms / 36000) / 100;
      var template = times > 1 ? node.dataset.series : node.dataset.one;
      node.textContent = template.replace("{cost}", money(one)).replace("{hours}", String(hours))
        .replace("{count}", String(times)).replace("{total}", money(Math.round(one * times * 100) / 100));
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  // A flash ("You are logged in.") is said once: it goes when the page changes in place (an
  // htmx search), and the addresses htmx pushes never carry its `ok`.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("main > .flash").forEach(function (f) { f.remove(); });
  });

  // A table wider than the screen scrolls inside its wrapper: make the wrapper reachable by
  // keyboard (Tab, then the arrow keys scroll it), as WCAG asks of scrollable regions.
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) { wrap.setAttribute("tabindex", "0"); }
      else { wrap.removeAttribute("tabindex"); }
    });
  }
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);

  // Typing the hours of a day means the weekly hours, not around the clock.
  function initHoursMode(form) {
    var weekly = form.querySelector("#mode-hours");
    form.querySelectorAll(".hours-grid input").forEach(function (input) {
      input.addEventListener("input", function () { if (input.value.trim()) { weekly.checked = true; } });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-estimate]").forEach(initEstimate);
    focusableScrollers();
    var hoursForm = document.getElementById("hours-form");
    if (hoursForm && hoursForm.querySelector("#mode-hours")) { initHoursMode(hoursForm); }
    document.querySelectorAll("input[data-filter]").forEach(initFilter);
    document.querySelectorAll("[data-calendar]").forEach(initCalendar);
    document.querySelectorAll("canvas[data-config]").forEach(initChart);
    document.querySelectorAll("[data-copy]").forEach(initCopy);
    document.querySelectorAll("form[data-confirm]").forEach(initConfirm);
  });
})();

// The catalogue's search box: a combobox whose list htmx fills with suggestions
// (WAI-ARIA combobox pattern: arrows move, Enter or a click picks, Escape closes).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var box = document.getElementById("q-suggest-box");
  if (!input || !box) { return; }
  var active = -1;

  function options() { return Array.prototype.slice.call(box.querySelectorAll("[role=option]")); }
  function close() {
    box.innerHTML = ""; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }
  function highlight(index) {
    var all = options();
    all.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0 && all[index]) { input.setAttribute("aria-activedescendant", all[index].id); }
    else { input.removeAttribute("aria-activedescendant"); }
  }
  function pick(option) {
    input.value = option.dataset.value || option.textContent.trim();
    close();
    if (input.form) { input.form.requestSubmit(); }
  }
  box.addEventListener("htmx:afterSwap", function () {
    active = -1;
    input.setAttribute("aria-expanded", options().length ? "true" : "false");
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === box) {
      input.setAttribute("aria-expanded", options().length ? "true" : "false");
    }
  });
  input.addEventListener("keydown", function (event) {
    var all = options();
    if (event.key === "ArrowDown" && all.length) { event.preventDefault(); highlight((active + 1) % all.length); }
    else if (event.key === "ArrowUp" && all.length) { event.preventDefault(); highlight((active - 1 + all.length) % all.length); }
    else if (event.key === "Enter" && active >= 0 && all[active]) { event.preventDefault(); pick(all[active]); }
    else if (event.key === "Escape") { close(); }
  });
  box.addEventListener("mousedown", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) { event.preventDefault(); pick(option); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
  if (input.form) { input.form.addEventListener("submit", close); }
})();
