// The audience builder: condition rows drawn from the server's catalogue, written as JSON
// into the form's conditions field, and the size and a sample fetched as they change.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("audience-builder-data").textContent);
  const field = document.getElementById("id_conditions");
  const rowsBox = document.getElementById("audience-rows");
  if (!field || !rowsBox) return;
  // The JSON field is the builder's storage: its row shows only to carry a server error.
  field.hidden = true;
  const help = document.getElementById("id_conditions_helptext");
  if (help) help.hidden = true;
  const fieldRow = field.closest(".form-row");
  if (fieldRow && !fieldRow.querySelector(".errorlist")) fieldRow.hidden = true;
  const byKey = Object.fromEntries(data.catalogue.map((c) => [c.key, c]));
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function typeSelect(row) {
    const select = el("select", { class: "audience-type", "aria-label": "Condition" });
    select.append(el("option", { value: "" }, "Pick a condition…"));
    const groups = {};
    data.catalogue.forEach((c) => {
      if (!groups[c.group]) {
        groups[c.group] = el("optgroup", { label: c.group });
        select.append(groups[c.group]);
      }
      if (c.key === "brand_trait") {
        // "Custom Brand Traits > CovaPricingGroup": one entry per key your shoppers have.
        data.traitKeys.forEach((key) =>
          groups[c.group].append(el("option", { value: "brand_trait:" + key }, key)));
        groups[c.group].append(el("option", { value: "brand_trait:" }, "Another trait key…"));
      } else {
        groups[c.group].append(el("option", { value: c.key }, c.label));
      }
    });
    select.value = row.type === "brand_trait" ? "brand_trait:" + (data.traitKeys.includes(row.key) ? row.key : "") : row.type || "";
    return select;
  }

  function paramInput(param, value) {
    let input;
    if (param.kind === "choice" || param.kind === "store") {
      input = el("select");
      input.append(el("option", { value: "" }, "—"));
      const choices = param.kind === "store" ? data.stores : param.choices;
      choices.forEach(([key, label]) => input.append(el("option", { value: String(key) }, label)));
    } else {
      const wide = param.kind === "text" || param.kind === "trait_key" || param.kind === "brand";
      input = el("input", { type: "text", size: wide ? 18 : 7 });
      if (param.kind === "trait_key") input.setAttribute("list", "audience-trait-keys");
      // "Bought brand": the brands on your shoppers' sale lines, or any brand typed.
      if (param.kind === "brand") input.setAttribute("list", "audience-brands");
    }
    input.dataset.param = param.name;
    input.setAttribute("aria-label", param.label);
    input.value = value === undefined || value === null ? "" : String(value);
    // A span, not a label: the admin styles every label of an aligned form as a column
    // heading. The input carries its name in aria-label.
    const label = el("span", { class: "audience-param" });
    label.append(el("span", {}, param.label + " "), input);
    return label;
  }

  function drawRow(row) {
    const line = el("div", { class: "audience-row" });
    const select = typeSelect(row);
    const params = el("span", { class: "audience-params" });
    const remove = el("button", { type: "button", class: "button audience-remove", "aria-label": "Remove condition" }, "✕");
    function drawParams(values) {
      params.replaceChildren();
      const kind = select.value.split(":")[0];
      if (!byKey[kind]) return;
      if (kind === "brand_trait" && select.value.length > "brand_trait:".length) {
        values = Object.assign({}, values, { key: select.value.slice("brand_trait:".length) });
      }
      byKey[kind].params.forEach((p) => {
        const input = paramInput(p, values[p.name]);
        // A key picked from the list (Custom Brand Traits > CovaPricingGroup) needs no box.
        if (p.kind === "trait_key" && select.value !== "brand_trait:") input.style.display = "none";
        params.append(input);
      });
    }
    select.addEventListener("change", () => { drawParams({}); changed(); });
    remove.addEventListener("click", () => { line.remove(); changed(); });
    line.append(select, params, remove);
    drawParams(row);
    rowsBox.append(line);
  }

  function collect() {
    return Array.from(rowsBox.querySelectorAll(".audience-row")).map((line) => {
      const kind = line.querySelector(".audience-type").value.split(":")[0];
      const row = { type: kind };
      line.querySelectorAll("[data-param]").forEach((input) => {
        if (input.value.trim() !== "") row[input.dataset.param] = input.value.trim();
      });
      return row;
    });
  }

  let timer = null;
  let asked = 0;
  function changed() {
    field.value = JSON.stringify(collect());
    clearTimeout(timer);
    timer = setTimeout(fetchSize, 300);
  }

  async function fetchSize() {
    const mine = ++asked;
    const match = document.querySelector("input[name=match]:checked");
    const company = document.getElementById("id_company");
    const body = { match: match ? match.value : "all", conditions: collect() };
    if (company) body.company = company.value;
    const sizeEl = document.getElementById("audience-size");
    sizeEl.textContent = "counting…";
    const response = await fetch(data.sizeUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (mine !== asked) return; // a newer edit's answer is on its way
    const answer = await response.json().catch(() => ({ errors: ["The size could not be read."] }));
    const errors = document.getElementById("audience-errors");
    const sample = document.getElementById("audience-sample");
    errors.replaceChildren(...(answer.errors || []).map((text) => el("li", {}, text)));
    sample.replaceChildren();
    if (answer.errors) { sizeEl.textContent = "—"; return; }
    sizeEl.textContent = answer.size.toLocaleString();
    answer.sample.forEach((p) => {
      const item = el("li");
      item.append(el("a", { href: p.url }, p.name));
      sample.append(item);
    });
    if (!answer.sample.length) sample.append(el("li", {}, "No shopper matches yet."));
  }

  const keys = el("datalist", { id: "audience-trait-keys" });
  data.traitKeys.forEach((key) => keys.append(el("option", { value: key })));
  document.body.append(keys);
  const brandList = el("datalist", { id: "audience-brands" });
  (data.brands || []).forEach((brand) => brandList.append(el("option", { value: brand })));
  document.body.append(brandList);

  let initial = [];
  try { initial = JSON.parse(field.value || "[]"); } catch (e) { initial = []; }
  (Array.isArray(initial) ? initial : []).forEach(drawRow);
  rowsBox.addEventListener("input", changed);
  rowsBox.addEventListener("change", changed);
  document.querySelectorAll("input[name=match]").forEach((r) => r.addEventListener("change", changed));
  const companySelect = document.getElementById("id_company");
  if (companySelect) companySelect.addEventListener("change", changed);
  document.getElementById("audience-add").addEventListener("click", () => { drawRow({}); changed(); });
  field.value = JSON.stringify(collect());
  fetchSize();

  const check = document.getElementById("audience-check");
  if (check) {
    check.addEventListener("click", async () => {
      const input = document.getElementById("audience-contact");
      const out = document.getElementById("audience-check-result");
      const response = await fetch(input.dataset.url + "?contact=" + encodeURIComponent(input.value), { credentials: "same-origin" });
      const answer = await response.json().catch(() => ({ errors: ["No answer."] }));
      out.textContent = answer.errors ? answer.errors.join(" ") : answer.text;
      out.className = answer.member ? "audience-in" : "audience-out";
    });
  }
})();
