// The search page: Pagefind's JS API over the site's shards, with the page's own form and filters.
// A Pagefind record holds up to 20 posts that share their filter values; each post sits under a
// heading with its id, so a matched word's sub-result names the post, and the record's meta lists
// its posts as [id, title, UTC time, home locale, language].
// Result links go to the post's page in this UI locale when it has one, else to its own page.
const form = document.getElementById("search");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");
const bundles = form.dataset.bundles.split(" ").filter(Boolean);
const root = form.dataset.root;
const locale = form.dataset.locale;
const BATCH = 10;  // records loaded at a time

const numeric = { year: "numeric", month: "2-digit", day: "2-digit" };

function linkFor(post, month) {
  const where = month >= form.dataset.translatedFrom ? locale : post.home;
  return `${root}${where}/posts/${post.id}/`;
}

function chosenFilters() {
  const filters = {};
  for (const select of form.querySelectorAll("select[data-filter]")) {
    if (select.value) filters[select.dataset.filter] = select.value;
  }
  return filters;
}

function postsOf(data) {
  const posts = new Map();
  for (const [id, title, time, home, lang] of JSON.parse(data.meta.posts || "[]")) {
    posts.set(id, { id, title, time, home, lang, month: data.meta.month });
  }
  return posts;
}

// The posts of a record that a query matched, each with its excerpt and its share of the score.
function matchesOf(data) {
  const posts = postsOf(data);
  const hits = [];
  for (const sub of data.sub_results) {
    const post = posts.get(decodeURIComponent(sub.url.split("#")[1] || ""));
    if (!post) continue;
    const score = sub.weighted_locations.reduce((sum, w) => sum + w.balanced_score, 0);
    hits.push({ post, excerpt: sub.excerpt, score });
  }
  return hits;
}

function show(hits, more) {
  list.replaceChildren();
  for (const { post, excerpt } of hits) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = linkFor(post, post.month);
    link.textContent = post.title;
    if (post.lang) link.lang = post.lang;
    const date = document.createElement("time");
    date.dateTime = post.time;
    // Numeric: browsers lack CLDR month names for several of the site's languages.
    date.textContent = new Date(post.time).toLocaleDateString(locale, numeric);
    item.append(link, " ", date);
    if (excerpt) {
      const text = document.createElement("p");
      // Pagefind escapes the text and adds only <mark>; "•" is the heading of a post without a title.
      text.innerHTML = excerpt.replace(/^•\s*/, "");
      item.append(text);
    }
    list.append(item);
  }
  const count = hits.length.toLocaleString(locale) + (more ? "+" : "");
  status.textContent = hits.length ? form.dataset.resultsLabel.replace("{n}", count) : form.dataset.noneLabel;
  moreButton.hidden = !more;
}

// One search: its records load BATCH at a time. Words: posts in the order of their own score,
// batch after batch. Filters alone: newest first, exactly — a post is shown only once no record
// left to load can hold a newer one (records sort by their newest post; one is read ahead).
function session(search, term) {
  const records = search.results;
  const hits = [];
  let next = 0;
  let ahead = null;
  return async function more() {
    const end = Math.min(records.length, next + BATCH);
    const datas = await Promise.all(records.slice(next, end).map((r) => r.data()));
    next = end;
    if (term) {
      for (const data of datas) hits.push(...matchesOf(data).sort((a, b) => b.score - a.score));
      return { shown: hits, more: next < records.length };
    }
    if (ahead) datas.push(ahead);
    ahead = next < records.length ? await records[next++].data() : null;
    for (const data of datas) for (const post of postsOf(data).values()) hits.push({ post });
    hits.sort((a, b) => (a.post.time < b.post.time ? 1 : a.post.time > b.post.time ? -1 : 0));
    const cutoff = ahead ? [...postsOf(ahead).values()].reduce((m, p) => (p.time > m ? p.time : m), "") : "";
    return { shown: hits.filter((h) => h.post.time >= cutoff), more: ahead !== null };
  };
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
  let loadMore = null;
  async function load(ticket) {
    const { shown, more } = await loadMore();
    if (ticket === latest) show(shown, more);
  }
  async function run() {
    const ticket = ++latest;
    const term = form.q.value.trim();
    const filters = chosenFilters();
    if (!term && !Object.keys(filters).length) {
      list.replaceChildren();
      status.textContent = "";
      moreButton.hidden = true;
      return;
    }
    const search = await pagefind.search(term || null, term ? { filters } : { filters, sort: { date: "desc" } });
    if (ticket !== latest) return;
    loadMore = session(search, term);
    await load(ticket);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ q: form.q.value, ...chosenFilters() });
    history.replaceState(null, "", "?" + query.toString());
    run();
  });
  form.q.addEventListener("input", run);
  for (const select of form.querySelectorAll("select[data-filter]")) select.addEventListener("change", run);
  moreButton.addEventListener("click", () => load(latest));
  run();
}

main();
