// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
})();

/* ==== search suggestions (engineer C, issue 4) ====
 * Enhances every search form (`form[role=search]` with an input named q):
 * as the user types, procedures are suggested in a listbox, following the
 * WAI-ARIA Authoring Practices "combobox with listbox popup" pattern:
 * ArrowDown/ArrowUp move through the options (aria-activedescendant keeps
 * focus in the box), Enter opens the chosen procedure, Escape closes the list
 * (a second Escape clears the box), Tab leaves. Without JavaScript the form is
 * a plain GET form. Requests are debounced and stale ones aborted.
 */
(function () {
  "use strict";
  var DELAY = 250;
  var MIN_CHARS = 2;
  var TEXT = {
    vi: { count: function (n) { return n ? n + " gợi ý, dùng phím mũi tên lên xuống để chọn." : "Không có gợi ý."; }, code: "Mã" },
    en: { count: function (n) { return n ? n + " suggestions, use the up and down arrow keys to choose." : "No suggestions."; }, code: "Code" }
  };
  var text = TEXT[(document.documentElement.lang || "vi").slice(0, 2)] || TEXT.vi;
  var counter = 0;

  function enhance(form) {
    var input = form.querySelector("input[name=q]");
    if (!input || input.hasAttribute("role")) { return; }
    var url = form.getAttribute("data-suggest-url") || (form.action.replace(/\/?$/, "/") + "suggest/");
    var id = "search-suggest-" + (++counter);
    var wrapper = document.createElement("div");
    wrapper.className = "search-suggest";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "search-suggest__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "");
    list.hidden = true;
    wrapper.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    var timer = null;
    var controller = null;
    var options = [];
    var active = -1;
    var lastQuery = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function setActive(index) {
      options.forEach(function (option, i) {
        option.el.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].el.id);
        options[index].el.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function render(results) {
      list.textContent = "";
      options = results.map(function (result, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "search-suggest__option";
        var title = document.createElement("span");
        title.textContent = result.title;
        var code = document.createElement("span");
        code.className = "search-suggest__code";
        code.textContent = text.code + " " + result.code;
        li.appendChild(title);
        li.appendChild(code);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { window.location.assign(result.url); });
        list.appendChild(li);
        return { el: li, url: result.url };
      });
      active = -1;
      status.textContent = text.count(options.length);
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }
    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) { return; }
      lastQuery = q;
      if (q.length < MIN_CHARS) { render([]); status.textContent = ""; return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === q) { render(data.results || []); } })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        if (!open && options.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (options.length) { setActive(active + 1 >= options.length ? 0 : active + 1); event.preventDefault(); }
      } else if (event.key === "ArrowUp") {
        if (open) { setActive(active <= 0 ? options.length - 1 : active - 1); event.preventDefault(); }
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); window.location.assign(options[active].url); }
      } else if (event.key === "Escape") {
        if (open) { close(); } else { input.value = ""; lastQuery = ""; }
        event.preventDefault();
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  function init() {
    if (!window.fetch) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[role=search]"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
/* ==== end search suggestions ==== */
