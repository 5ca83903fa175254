// jdanalyzer page: send the posting to /api/classify and show the result.
// Posting text only ever reaches the page through textContent / createTextNode.
"use strict";

(function () {
  const LABELS = {
    ai_engineer: "AI engineer",
    data_scientist: "Data scientist",
    hybrid: "Hybrid: AI engineer + data scientist",
    other: "Other role",
  };
  // The sides of the taxonomy (jdanalyzer.types.SIDE_TITLES; a test keeps the two the same).
  const SIDES = {
    ai_engineer: "AI engineering",
    data_scientist: "Data science",
    software: "Software engineering",
    data_engineering: "Data engineering",
    analytics: "Analytics",
    shared: "Shared",
  };

  const $ = (id) => document.getElementById(id);

  // Build an element; string children become text nodes (never parsed as HTML).
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  const pct = (p) => (p * 100 >= 99.5 || p * 100 < 0.5 ? Math.round(p * 100) : (p * 100).toFixed(1)) + "%";
  const labelName = (label) => LABELS[label] || label;
  const shortName = (label) => (label === "hybrid" ? "Hybrid" : labelName(label));

  function setStatus(message, isError) {
    const status = $("status");
    status.textContent = message || "";
    status.classList.toggle("error", Boolean(isError));
  }

  // A null label: the text is too short to judge (the API still gives the probabilities).
  const TOO_SHORT = "Too short to tell";

  function renderVerdict(r) {
    const label = $("label");
    const none = r.label === null;
    label.textContent = none ? TOO_SHORT : labelName(r.label);
    label.className = "label label-" + (none ? "none" : r.label);
    label.dataset.label = none ? "" : r.label;
    const title = $("posting-title");
    title.textContent = r.title ? "Title as given: " + r.title : "";
    title.hidden = !r.title;
    $("confidence").textContent = none
      ? "No label: there is too little text to judge. Paste the whole ad."
      : pct(r.confidence) + " likely · runner-up: " + labelName(r.runner_up) + " (" + pct(r.probabilities[r.runner_up]) + ")";
    const warnings = $("warnings");
    warnings.replaceChildren();
    if (r.low_confidence && !none) warnings.appendChild(el("li", "low", "Low confidence: read the evidence before relying on this label."));
    // The title the text confidently contradicts (the audit's role-mismatch rule).
    const mismatch = r.title_mismatch;
    if (mismatch) {
      const item = el("li", "title-mismatch" + (mismatch.severity === "high" ? " low" : ""), "Title: " + mismatch.message);
      item.id = "title-mismatch";
      item.dataset.severity = mismatch.severity;
      warnings.appendChild(item);
    }
    for (const w of r.warnings) warnings.appendChild(el("li", none ? "low" : null, w));
  }

  function renderBars(r) {
    const bars = $("bars");
    bars.replaceChildren();
    const entries = Object.entries(r.probabilities).sort((a, b) => b[1] - a[1]);
    for (const [label, p] of entries) {
      const fill = el("div", "fill label-" + label);
      fill.style.width = Math.max(p * 100, 0.5) + "%";
      const row = el("div", "bar-row" + (label === r.label ? " top" : ""),
        el("span", "bar-name", shortName(label)),
        el("div", "bar", fill),
        el("span", "bar-value", pct(p)));
      row.dataset.label = label;
      bars.appendChild(row);
    }
  }

  function renderEvidence(r) {
    const box = $("evidence");
    box.replaceChildren();
    if (r.label === null) {
      box.appendChild(el("p", "muted", "No evidence: the text is too short to tell what job it describes."));
      return;
    }
    for (const toward of [r.label, r.runner_up]) {
      const items = r.evidence.filter((e) => e.label === toward);
      const list = el("ul", "chips");
      for (const e of items) {
        const chip = el("li", "chip side-" + e.side,
          e.term,
          e.source === "title" ? el("span", "note", " (title)") : null,
          el("span", "weight", "+" + e.weight.toFixed(2)));
        chip.title = SIDES[e.side] + " term · " + e.source + (e.spans.length ? " · found " + e.spans.length + "×" : "");
        list.appendChild(chip);
      }
      if (!items.length) list.appendChild(el("li", "muted", "nothing in particular"));
      box.appendChild(el("div", null, el("h3", null, "Toward " + shortName(toward)), list));
    }
  }

  // The posting as text nodes and <mark> elements. Each stretch of text covered by
  // evidence spans takes the side of the strongest evidence covering it: the side of the
  // taxonomy term found there, or the evidence's own side for words of the text.
  function renderPosting(r) {
    const text = r.text;
    const termSide = new Map();
    for (const m of r.skills.concat(r.tasks)) termSide.set(m.start + ":" + m.end, m.side);
    const spans = [];
    for (const e of r.evidence) {
      for (const s of e.spans) {
        if (!(s.end > s.start && s.start >= 0 && s.end <= text.length)) continue;
        spans.push({ start: s.start, end: s.end, e, side: termSide.get(s.start + ":" + s.end) || e.side });
      }
    }
    const cuts = new Set([0, text.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const points = [...cuts].sort((a, b) => a - b);
    const pieces = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const here = spans.filter((s) => s.start <= a && s.end >= b);
      const covering = [...new Set(here.map((s) => s.e))];
      const top = here.reduce((x, y) => (x === null || y.e.weight > x.e.weight ? y : x), null);
      const key = covering.map((e) => r.evidence.indexOf(e)).sort((x, y) => x - y).join(",");
      const side = top ? top.side : "";
      const last = pieces[pieces.length - 1];
      if (last && last.key === key && last.side === side) last.end = b;
      else pieces.push({ start: a, end: b, key, side, covering });
    }
    const box = $("posting");
    box.replaceChildren();
    for (const piece of pieces) {
      const chunk = text.slice(piece.start, piece.end);
      if (!piece.covering.length) { box.appendChild(document.createTextNode(chunk)); continue; }
      const mark = el("mark", "ev side-" + piece.side, chunk);
      mark.dataset.side = piece.side;
      mark.title = piece.covering
        .map((e) => e.term + " → " + labelName(e.label) + " (+" + e.weight.toFixed(2) + ")")
        .join("\n");
      box.appendChild(mark);
    }
  }

  function renderTerms(r) {
    const box = $("terms");
    box.replaceChildren();
    for (const side of Object.keys(SIDES)) {
      const group = el("div", "side-group");
      let any = false;
      for (const [kind, matches] of [["Skills", r.skills], ["Tasks", r.tasks], ["Roles named", r.roles || []]]) {
        const counts = new Map();
        for (const m of matches) if (m.side === side) counts.set(m.name, (counts.get(m.name) || 0) + 1);
        if (!counts.size) continue;
        any = true;
        const list = el("ul", "chips small");
        for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
          list.appendChild(el("li", "chip side-" + side, name, n > 1 ? el("span", "weight", "×" + n) : null));
        }
        group.appendChild(el("h4", null, kind));
        group.appendChild(list);
      }
      if (!any) continue;
      group.prepend(el("h3", "side-title side-" + side, SIDES[side]));
      box.appendChild(group);
    }
    if (!box.childNodes.length) box.appendChild(el("p", "muted", "No skills or tasks from the taxonomy were found."));
  }

  function render(r) {
    renderVerdict(r);
    renderBars(r);
    renderEvidence(r);
    renderPosting(r);
    renderTerms(r);
    $("result").hidden = false;
  }

  async function classify(event) {
    if (event) event.preventDefault();
    const text = $("text").value;
    const title = $("title").value.trim();
    if (!text.trim()) { setStatus("Paste the text of a job posting first.", true); $("text").focus(); return; }
    const button = $("submit");
    button.disabled = true;
    setStatus("Classifying…", false);
    try {
      const response = await fetch("/api/classify", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(title ? { text, title } : { text }),
      });
      let data = null;
      try { data = await response.json(); } catch (_) { /* not JSON: use the status below */ }
      if (!response.ok) {
        const detail = data && typeof data.detail === "string" ? data.detail : response.status + " " + response.statusText;
        setStatus("Could not classify: " + detail, true);
        return;
      }
      render(data);
      setStatus("", false);
      $("result").scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (err) {
      setStatus("Could not reach the server: " + err.message, true);
    } finally {
      button.disabled = false;
    }
  }

  function updateCount() {
    const n = $("text").value.length;
    $("count").textContent = n.toLocaleString() + (n === 1 ? " character" : " characters");
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("classify-form").addEventListener("submit", classify);
    $("text").addEventListener("input", updateCount);
    $("text").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) classify(e);
    });
    $("clear").addEventListener("click", () => {
      $("text").value = "";
      $("title").value = "";
      $("result").hidden = true;
      setStatus("", false);
      updateCount();
      $("text").focus();
    });
    updateCount();
  });
})();
