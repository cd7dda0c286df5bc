/*
 * Start the Wagtail admin widgets whose inline start-up scripts the Content Security Policy blocks.
 *
 * Wagtail 8.0 still starts a few widgets with an inline <script>: InlinePanel and MultipleChooserPanel, the
 * chooser widgets (page, image, document, snippet, task) and the date and time pickers. Our policy allows no inline
 * script, so the browser refuses them. This file recognises exactly those start-up scripts by their shape, reads
 * their arguments as JSON (nothing is ever evaluated) and makes the same call to Wagtail's own code; any other
 * inline script stays blocked. It is loaded on every admin page, before the page's content, by the
 * insert_global_admin_js hook (lms/security.py), and watches the document for scripts the parser or Wagtail's own
 * code (StreamField, modals, teleported dialogs) inserts.
 */
(() => {
  "use strict";

  const PANELS = new Set(["InlinePanel", "MultipleChooserPanel"]);
  const CONSTRUCTORS = new Set(["Chooser", "PageChooser", "ImageChooser", "DocumentChooser", "SnippetChooser"]);
  const FUNCTIONS = new Set(["initDateChooser", "initTimeChooser", "initDateTimeChooser", "createTaskChooser"]);
  // wagtailadmin/panels/inline_panel.html and multiple_chooser_panel.html: options JSON in an escapejs string.
  const PANEL = /^\(function\(\)\s*\{\s*var panel = new (\w+)\(JSON\.parse\("((?:[^"\\]|\\.)*)"\)\);\s*\}\)\(\);?$/;
  // BaseChooser.render_js_init: `new ImageChooser("id", {...});`
  const CONSTRUCTOR = /^new (\w+)\(([\s\S]*)\);?$/;
  // The date/time widget templates and the task chooser: `initDateChooser("id", {...});`
  const CALL = /^(\w+)\(([\s\S]*)\);?$/;

  const jsonArguments = (text) => JSON.parse(`[${text}]`);

  /** Make the call the script would have made; false if the script isn't one of Wagtail's start-up scripts. */
  function start(text) {
    let match = PANEL.exec(text);
    if (match && PANELS.has(match[1]) && typeof window[match[1]] === "function") {
      const Panel = window[match[1]];
      new Panel(JSON.parse(JSON.parse(`"${match[2]}"`)));
      return true;
    }
    match = CONSTRUCTOR.exec(text);
    if (match && CONSTRUCTORS.has(match[1]) && typeof window[match[1]] === "function") {
      const Widget = window[match[1]];
      new Widget(...jsonArguments(match[2]));
      return true;
    }
    match = CALL.exec(text);
    if (match && FUNCTIONS.has(match[1]) && typeof window[match[1]] === "function") {
      window[match[1]](...jsonArguments(match[2]));
      return true;
    }
    return false;
  }

  const isInlineScript = (node) =>
    node.nodeName === "SCRIPT" && !node.src && (!node.type || /^(text|application)\/javascript$/i.test(node.type));

  const handled = new WeakSet();
  let pending = [];

  function handle(scripts) {
    // Wagtail sometimes inserts a copy that replaces a copy of the same script (teleported templates, jQuery's
    // html()); within one batch of changes each script text starts its widget once.
    const started = new Set();
    for (const script of scripts) {
      if (handled.has(script) || !isInlineScript(script)) continue;
      const text = script.text.trim();
      if (started.has(text)) {
        handled.add(script);
        continue;
      }
      let ok = false;
      try {
        ok = start(text);
      } catch (error) {
        if (!(error instanceof SyntaxError) || document.readyState !== "loading") {
          console.error("Could not start a Wagtail widget:", error);
          ok = true; // don't try again
        }
      }
      if (ok) {
        handled.add(script);
        started.add(text);
      } else if (document.readyState === "loading") {
        pending.push(script); // the parser may still be adding its text
      } else {
        handled.add(script);
      }
    }
  }

  function scriptsIn(records) {
    const scripts = [];
    for (const record of records) {
      const target = record.target;
      if (target.nodeName === "SCRIPT") scripts.push(target); // text added to a script
      for (const node of record.addedNodes) {
        if (node.nodeName === "SCRIPT") scripts.push(node);
        else if (node.querySelectorAll) scripts.push(...node.querySelectorAll("script"));
      }
    }
    return scripts;
  }

  const retryPending = () => {
    const retry = pending;
    pending = [];
    handle(retry);
  };

  new MutationObserver((records) => {
    const retry = pending;
    pending = [];
    handle([...retry, ...scriptsIn(records)]);
  }).observe(document, { childList: true, subtree: true });
  handle(document.querySelectorAll("script"));
  document.addEventListener("DOMContentLoaded", retryPending);
})();
