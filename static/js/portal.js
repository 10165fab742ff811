// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
})();

/* ==== search suggestions ====
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

/* ==== applying online (eforms) ====
 * Every part works without this: the server refreshes the commune list with
 * a "show communes" button, uploads go with the form, the print page says
 * how to print. With JavaScript:
 * - address fields: the commune list follows the province at once (fetch
 *   of /units/<province>/communes/), the refresh button is hidden;
 * - forms with files show upload progress (XMLHttpRequest with the same
 *   form data, then the page the server answers);
 * - the "apply for" and "home service" groups show only when chosen;
 * - the error summary takes focus; the review form is sent once; print.
 */
(function () {
  "use strict";

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  function linkAddress(box) {
    var province = box.querySelector("[data-units-province]");
    var commune = box.querySelector("[data-units-commune]");
    var url = box.getAttribute("data-units-url");
    if (!province || !commune || !url || !window.fetch) { return; }
    province.addEventListener("change", function () {
      var blank = commune.options.length ? commune.options[0].cloneNode(true) : null;
      if (!province.value) {
        commune.innerHTML = "";
        if (blank) { commune.appendChild(blank); }
        return;
      }
      commune.setAttribute("aria-busy", "true");
      fetch(url.replace("__province__", encodeURIComponent(province.value)), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { communes: [] }; })
        .then(function (data) {
          commune.innerHTML = "";
          if (blank) { blank.selected = true; commune.appendChild(blank); }
          data.communes.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.textContent = item.name;
            commune.appendChild(option);
          });
        })
        .catch(function () { /* the no-JS refresh button still works after a reload */ })
        .then(function () { commune.removeAttribute("aria-busy"); });
    });
  }

  function toggleGroups(form) {
    function sync(name, attr) {
      var chosen = form.querySelector("input[name=" + name + "]:checked");
      each("[" + attr + "]", function (group) {
        group.hidden = !chosen || group.getAttribute(attr) !== chosen.value;
      }, form);
    }
    [["applying_as", "data-applying-as"], ["channel", "data-channel"]].forEach(function (pair) {
      if (!form.querySelector("input[name=" + pair[0] + "]")) { return; }
      sync(pair[0], pair[1]);
      each("input[name=" + pair[0] + "]", function (radio) {
        radio.addEventListener("change", function () { sync(pair[0], pair[1]); });
      }, form);
    });
  }

  function uploadProgress(form) {
    if (!window.FormData || !window.XMLHttpRequest) { return; }
    var lang = (document.documentElement.lang || "vi").slice(0, 2);
    var text = lang === "en" ? { sending: "Uploading… ", failed: "The upload failed. Check your connection and try again." }
                             : { sending: "Đang tải lên… ", failed: "Tải lên không thành công. Kiểm tra kết nối mạng và thử lại." };
    form.addEventListener("submit", function (event) {
      var hasFiles = false;
      each("input[type=file]", function (input) { if (input.files && input.files.length) { hasFiles = true; } }, form);
      if (!hasFiles) { return; }
      event.preventDefault();
      var data = new FormData(form);
      var submitter = event.submitter;
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      var status = form.querySelector(".upload-status");
      if (!status) {
        status = document.createElement("div");
        status.className = "upload-status";
        status.setAttribute("role", "status");
        status.innerHTML = '<span class="upload-status__text"></span><progress max="100" value="0"></progress>';
        var actions = form.querySelector(".form-actions") || form.lastChild;
        form.insertBefore(status, actions);
      }
      var bar = status.querySelector("progress");
      var label = status.querySelector(".upload-status__text");
      label.textContent = text.sending;
      each("button[type=submit]", function (button) { button.disabled = true; }, form);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round(e.loaded * 100 / e.total);
          bar.value = percent;
          label.textContent = text.sending + percent + "%";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL.split("#")[0] !== window.location.href.split("#")[0]) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        label.textContent = text.failed;
        each("button[type=submit]", function (button) { button.disabled = false; }, form);
      });
      xhr.send(data);
    });
  }

  function submitOnce(form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }
      sent = true;
    });
  }

  function init() {
    each(".address-field", linkAddress);
    each("form.apply__form", toggleGroups);
    each("form[data-upload-progress]", uploadProgress);
    each("form[data-submit-once]", submitOnce);
    each("[data-print]", function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
/* ==== end applying online ==== */
