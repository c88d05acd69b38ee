// The search page: Pagefind's JS API over the site's shards, with the page's own form and filters.
// Result links go to the post's page in this UI locale when it has one, else to its own page.
const form = document.getElementById("search");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const bundles = form.dataset.bundles.split(" ").filter(Boolean);
const root = form.dataset.root;
const locale = form.dataset.locale;

const numeric = { year: "numeric", month: "2-digit", day: "2-digit" };

function linkFor(meta) {
  const where = meta.month >= form.dataset.translatedFrom ? locale : meta.home;
  return `${root}${where}/posts/${meta.id}/`;
}

function chosenFilters() {
  const filters = {};
  for (const select of form.querySelectorAll("select[data-filter]")) {
    if (select.value) filters[select.dataset.filter] = select.value;
  }
  return filters;
}

function show(results, total) {
  list.replaceChildren();
  for (const data of results) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = linkFor(data.meta);
    link.textContent = data.meta.title;
    if (data.language && data.language !== "unknown") link.lang = data.language;
    const excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt;  // Pagefind escapes the text and adds only <mark>
    const date = document.createElement("time");
    date.dateTime = data.meta.date;
    // Numeric: browsers lack CLDR month names for several of the site's languages.
    date.textContent = new Date(data.meta.date).toLocaleDateString(locale, numeric);
    item.append(link, " ", date, excerpt);
    list.append(item);
  }
  status.textContent = total ? form.dataset.resultsLabel.replace("{n}", total.toLocaleString(locale))
                             : form.dataset.noneLabel;
}

async function main() {
  if (!bundles.length) return;
  const pagefind = await import(bundles[0] + "pagefind.js");
  await pagefind.options({ basePath: bundles[0], excerptLength: 24 });
  for (const other of bundles.slice(1)) await pagefind.mergeIndex(other);
  const params = new URLSearchParams(location.search);
  // The address carries a search (?q=…&country=…); what the visitor typed meanwhile wins.
  if (params.has("q") && !form.q.value) form.q.value = params.get("q");
  for (const select of form.querySelectorAll("select[data-filter]")) {
    if (params.has(select.dataset.filter)) select.value = params.get(select.dataset.filter);
  }
  let latest = 0;
  async function run() {
    const ticket = ++latest;
    const term = form.q.value.trim();
    const filters = chosenFilters();
    if (!term && !Object.keys(filters).length) { list.replaceChildren(); status.textContent = ""; return; }
    const search = await pagefind.search(term || null, term ? { filters } : { filters, sort: { date: "desc" } });
    const results = await Promise.all(search.results.slice(0, 30).map((r) => r.data()));
    if (ticket === latest) show(results, search.results.length);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ q: form.q.value, ...chosenFilters() });
    history.replaceState(null, "", "?" + query.toString());
    run();
  });
  form.q.addEventListener("input", run);
  for (const select of form.querySelectorAll("select[data-filter]")) select.addEventListener("change", run);
  run();
}

main();
