"""Draw the AllSides passages and articles to be labelled for news stance (fixed seed).

Passages (``passages_to_label.jsonl``) for the three default topics, labelled with
``../shared/data/news_stance/GUIDE.md``. Keyword sampling alone gives about 7% favor/against, so
the draw is stratified to keep them from being starved (the stratum is never shown to readers):

- ``opinion``: passages of opinion and commentary pieces (opinion outlets, columnists, titles
  that start with "Opinion"), where authors argue;
- ``evaluative``: passages of other articles with evaluative or prescriptive words ("should",
  "mistake", "naive", "aggression" ...);
- ``reported``: passages that report someone's words ("said", quotes), for the speaker label;
- ``random``: any keyword passage, so the realistic mix is represented too.

Articles (``articles_to_label.jsonl``) for ``news_stance/ARTICLE_GUIDE.md``: articles that mention
at
least one topic, 1,500-10,000 characters, more than half from opinion pieces, at most
``MAX_PER_OUTLET`` per outlet. The article dev split is drawn here too (outlet-balanced:
within each outlet, every ``DEV_EVERY``-th article of a seeded shuffle goes to dev), and every
labelled passage of a dev article is a dev passage (``splits.json``).

Never drawn: the reserved articles (``../shared/data/allsides/reserved_ids.txt``) and passages
already in ``news_stance/passages.jsonl``. Passage ids are the ones ``viewpoints analyze`` gives.

    python -m experiments.news_labels.sample --out FOLDER [--round 2|3]

A round's files already in ``--out`` are not replaced without ``--force``: in this folder they
are the record of what was drawn and labelled (the code has changed since, and draws
differently).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

from analysis.corpus import load_corpus
from experiments.reserved import reserved_ids

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data"
ALLSIDES = SHARED / "allsides" / "articles.jsonl"
NEWS_STANCE = SHARED / "news_stance" / "passages.jsonl"
SEED = 20261201
PER_TOPIC = {"opinion": 420, "evaluative": 260, "reported": 150, "random": 170}
MAX_PER_ARTICLE_TOPIC = 4
N_ARTICLES = 440
MAX_PER_OUTLET = 30
DEV_EVERY = 2  # dev share of the labelled articles: 1 in DEV_EVERY (outlet-balanced)
PASSAGE_DEV_SHARE = 0.25  # for passages of articles outside the article sample
MIN_CHARS, MAX_CHARS = 40, 600

TOPIC_WORDS = {
    "arms_control": re.compile(
        r"\barms control|\barms race|\bINF\b|Intermediate-Range|\bNew START|\bSTART treaty|"
        r"strategic stability|disarmament|Open Skies|\bABM\b|nuclear treat|arms reduction|"
        r"nuclear arsenal|warheads|"
        r"nuclear (?:weapon|arms|missile)s?\b.*\b(?:Russia|Moscow|Putin|Soviet)|"
        r"\b(?:Russia|Moscow|Putin|Soviet)\w*\b.*\bnuclear (?:weapon|arms|missile)",
    ),
    "sanctions": re.compile(r"\bsanction", re.IGNORECASE),
    "ukraine": re.compile(r"Ukrain|Crimea|Donbas|Donetsk|Luhansk|\bKiev\b|\bKyiv\b|Poroshenko"),
}
OPINION_OUTLETS = re.compile(
    r"Guest Writer|Opinion|Editorial|Flip Side|Townhall|American Spectator|National Review|"
    r"Reason|Salon|Daily Kos|Victor Hanson|Rich Lowry|Frank Bruni|HotAir|The Intercept|"
    r"Mother Jones|Democracy Now|Slate|The Atlantic|New York Magazine|Foreign Policy|"
    r"The Week|Vanity Fair|Daily Beast|TheBlaze|Daily Wire|Washington Examiner - Opinion",
    re.IGNORECASE,
)
OPINION_TITLE = re.compile(r"^\s*(opinion|commentary|column|editorial|analysis)\b", re.I)
EVALUATIVE = re.compile(
    r"\b(should|shouldn't|must|ought|need to|needs to|mistake|wrong|right to|naive|reckless|"
    r"dangerous|foolish|weak|weakness|strength|tough|failure|failed|success|wise|unwise|"
    r"aggression|aggressor|annex|illegal|illegitimate|brutal|appease|appeasement|capitulat|"
    r"blunder|folly|betray|shameful|disgrace|welcome|overdue|important|essential|vital|"
    r"crucial|sadly|unfortunately|rightly|wrongly|absurd|farce|hypocri|punish)\w*",
    re.IGNORECASE,
)
REPORTED = re.compile(r"\b(said|says|told|warned|argued|according to|called)\b|[\"“]")

# Round 2: the first round's keyword draw turned out three-quarters off topic (Iran and North
# Korea sanctions, the impeachment story) and starved "against". The second round keeps a
# passage only if it is about the target by these stricter tests, and adds an ``against_cue``
# stratum of passages with words that opponents of each target use.
RUSSIA = re.compile(
    r"Russia|Moscow|Putin|Kremlin|Crimea|Ukrain|oligarch|Magnitsky|Deripaska|Rusal|"
    r"Nord Stream|CAATSA|Soviet"
)
EXCLUDE = {
    "arms_control": re.compile(r"North Korea|Pyongyang|Kim Jong|\bIran|Tehran"),
    "sanctions": re.compile(
        r"\bIran|North Korea|Pyongyang|Venezuela|Cuba|Turkey|Syria\b|China|Chinese|Saudi"
    ),
    "ukraine": re.compile(
        r"impeach|Zelensk|Giuliani|Burisma|Hunter Biden|quid pro quo|whistle-?blower|Sondland|"
        r"Vindman|Volker|Yovanovitch|Manafort|Taylor|investigat|phone call"
    ),
}
UKRAINE_CONFLICT = re.compile(
    r"Russia|Putin|Moscow|Kremlin|separatist|annex|invasion|invade|aggression|occup|Crimea|Donbas|rebel"
)
AGAINST_CUES = {
    "sanctions": re.compile(
        r"lift\w* (?:the |all |those |these )?sanctions|eas\w+ (?:the )?sanctions|"
        r"sanctions (?:relief|have (?:failed|not worked|done little)|don't work|never work)|"
        r"counterproductive|futile|ineffective|pointless|backfire|"
        r"hurt\w* (?:American|European|U\.S\.)|"
        r"better relations|reset|engage|cooperat",
        re.IGNORECASE,
    ),
    "ukraine": re.compile(
        r"coup|putsch|neo-?Nazi|fascist|provok|provocation|NATO expansion|encircle|"
        r"Russian-speaking|"
        r"referendum|reunification|legitimate interests|sphere of influence|"
        r"not our (?:fight|business)|"
        r"corrupt|Kiev regime|Kyiv regime",
        re.IGNORECASE,
    ),
    "arms_control": re.compile(
        r"cheat|violat|obsolete|outdated|naive|unilateral|flawed|one-sided|build-?up|moderniz|"
        r"withdraw|scrap|pull out|walk away|dead|relic|Cold War",
        re.IGNORECASE,
    ),
}
# The corpus holds few strictly on-topic passages that round 1 did not take (about 70 on arms
# control, 480 on sanctions, 1,440 on Ukraine): round 2 takes up to these many per topic, filling
# the strata in this order with these shares of the total, and the rest at random.
ROUND2_TOTAL = {"arms_control": 80, "sanctions": 450, "ukraine": 650}
ROUND2_SHARES = {
    "against_cue": 0.35,
    "opinion": 0.25,
    "evaluative": 0.2,
    "reported": 0.1,
    "random": 1.0,
}
ROUND2_ARTICLES = 260
ROUND2_MIN_TOPIC_PASSAGES = 2

# Round 3: after rounds 1-2 the news model still starved of "against" (25 train passages),
# and the strict tests of round 2 had used up most strictly on-topic passages. Round 3 ranks the
# remaining keyword passages of articles outside the dev split by the round's model (the
# shipped news model's author head) and draws from the top of P(against) and P(favor) (which
# also finds the passages the model wrongly thinks take a side), from the against cues, and at
# random. All of it is train data: the dev split is unchanged.
ROUND3_MODEL = HERE.parents[1] / "analysis" / "shipped_models" / "minilm_v2"
ROUND3_QUOTA = {
    "arms_control": {"model_against": 170, "model_favor": 90, "against_cue": 60, "random": 40},
    "sanctions": {"model_against": 220, "model_favor": 120, "against_cue": 80, "random": 60},
    "ukraine": {"model_against": 220, "model_favor": 120, "against_cue": 80, "random": 60},
}
# ... and, with or without a keyword, passages of train articles whose author takes a side on
# the topic (by the article labels or a labelled passage), ranked by the model's P(not none).
ROUND3_SIDED_ARTICLE = {"arms_control": 250, "sanctions": 250, "ukraine": 350}
# Few keyword passages were left, so round 3 also takes arms-control passages on what the
# treaties regulate (missile defence, nuclear forces) and sanctions passages of articles that
# name Russia anywhere.
ROUND3_ARMS = re.compile(
    r"missile defen[cs]e|nuclear (?:forces|deterren|moderniz|posture|triad|weapons?)|"
    r"deterrence|\bICBM|ballistic missile|nuclear war|interceptor",
    re.IGNORECASE,
)
ROUND3_TOP_SHARE = 0.25  # model strata draw at random from this top share of the ranking
ROUND3_MAX_PER_ARTICLE_TOPIC = 6

TARGETS = {
    "arms_control": "US-Russia arms control",
    "sanctions": "sanctions on Russia",
    "ukraine": "Ukraine against Russia",
}


def is_opinion(outlet: str | None, title: str) -> bool:
    """Opinion or commentary piece, judged from the outlet name and the title."""
    return bool(OPINION_OUTLETS.search(outlet or "")) or bool(OPINION_TITLE.search(title))


def stable_unit(key: str) -> float:
    """A number in [0, 1) fixed by ``key`` (for seed-free, order-free splits)."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0x100000000


def target_definitions() -> dict[str, dict[str, str]]:
    """favor / against wording of each default topic, as in news_stance."""
    defs: dict[str, dict[str, str]] = {}
    for line in NEWS_STANCE.open(encoding="utf-8"):
        row = json.loads(line)
        if row["topic"] in TARGETS and row["topic"] not in defs:
            defs[row["topic"]] = {"favor": row["favor"], "against": row["against"]}
    return defs


def strictly_about(topic: str, text: str, before: str) -> bool:
    """Round 2's test that a keyword passage is about the target as the guide defines it."""
    if not TOPIC_WORDS[topic].search(text) or EXCLUDE[topic].search(text):
        return False
    if topic == "sanctions":
        return bool(RUSSIA.search(text) or RUSSIA.search(before))
    if topic == "ukraine":
        return bool(
            UKRAINE_CONFLICT.search(text.replace("Ukrain", "")) or UKRAINE_CONFLICT.search(before)
        )
    return True


def outlet_balanced_split(chosen: list[str], articles: dict, rng: random.Random) -> dict[str, str]:
    """Article id -> dev / train: within each outlet (in name order), every ``DEV_EVERY``-th
    article of a seeded shuffle goes to dev, counting on across outlets."""
    by_outlet: dict[str, list[str]] = defaultdict(list)
    for aid in chosen:
        by_outlet[articles[aid].outlet or "?"].append(aid)
    split: dict[str, str] = {}
    offset = 0
    for outlet in sorted(by_outlet):
        ids = sorted(by_outlet[outlet])
        rng.shuffle(ids)
        for i, aid in enumerate(ids):
            split[aid] = "dev" if (i + offset) % DEV_EVERY == 0 else "train"
        offset += len(ids)
    return split


def article_item(item: str, a, split: str) -> dict:
    """An article to label, as written to ``articles_to_label*.jsonl``."""
    return {
        "item": item,
        "article_id": a.article_id,
        "title": a.title,
        "outlet": a.outlet,
        "author": a.author,
        "date": a.date,
        "opinion": is_opinion(a.outlet, a.title),
        "split": split,
        "text": a.text,
    }


# The files a round draws into --out, refused where they are already there (rounds 2 and 3
# also add their articles to round 1's splits.json, which they read: it must be there)
ROUND_FILES = {
    1: ("passages_to_label.jsonl", "articles_to_label.jsonl", "splits.json"),
    2: ("passages_to_label_r2.jsonl", "articles_to_label_r2.jsonl"),
    3: ("passages_to_label_r3.jsonl",),
}


def refuse_to_replace(out: Path, round_: int, force: bool) -> None:
    """Stop before a draw replaces files already there: in this folder they are the committed
    record of what was labelled, and a new splits.json would re-split every evaluation."""
    present = [name for name in ROUND_FILES[round_] if (out / name).exists()]
    if present and not force:
        raise SystemExit(
            f"{out} already holds {', '.join(present)}: a new draw would replace them. Give "
            "--out another folder (rounds 2 and 3 read the earlier rounds' files from it: copy "
            "them there first), or --force to replace them."
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE,
        help="the folder of the draws and labels (default: this one, the committed record)",
    )
    parser.add_argument("--round", type=int, choices=[1, 2, 3], default=1)
    parser.add_argument(
        "--model", type=Path, default=ROUND3_MODEL, help="round 3: the model that ranks passages"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the round's files where --out has them"
    )
    args = parser.parse_args(argv)
    refuse_to_replace(args.out, args.round, args.force)
    if args.round == 2:
        second_round(args.out)
        return
    if args.round == 3:
        third_round(args.out, args.model)
        return
    rng = random.Random(SEED)
    reserved = reserved_ids()
    labelled = [json.loads(line) for line in NEWS_STANCE.open(encoding="utf-8")]
    taken = {row["passage_id"] for row in labelled}
    corpus = load_corpus([ALLSIDES], progress=True)
    articles = {a.article_id: a for a in corpus.articles if a.article_id not in reserved}
    by_article: dict[str, list] = defaultdict(list)
    for p in corpus.passages:
        if p.article_id in articles:
            by_article[p.article_id].append(p)
    defs = target_definitions()

    # Articles first: their dev split decides where their passages go.
    article_pool = []
    for aid, art in articles.items():
        hits = {
            t: sum(1 for p in by_article[aid] if rx.search(p.text)) for t, rx in TOPIC_WORDS.items()
        }
        if sum(hits.values()) >= 2 and 1500 <= len(art.text) <= 10_000:
            article_pool.append((aid, is_opinion(art.outlet, art.title)))
    rng.shuffle(article_pool)
    per_outlet: Counter[str] = Counter()
    chosen: list[str] = []
    n_opinion = int(N_ARTICLES * 0.55)
    for want_opinion in (True, False):
        quota = n_opinion if want_opinion else N_ARTICLES - len(chosen)
        got = 0
        for aid, opinion in article_pool:
            outlet = articles[aid].outlet or "?"
            if opinion != want_opinion or aid in chosen or per_outlet[outlet] >= MAX_PER_OUTLET:
                continue
            chosen.append(aid)
            per_outlet[outlet] += 1
            got += 1
            if got == quota:
                break
    article_split = outlet_balanced_split(chosen, articles, rng)

    # Passages, per topic and stratum.
    items = []
    for topic, rx in TOPIC_WORDS.items():
        strata: dict[str, list] = defaultdict(list)
        for aid, passages in by_article.items():
            art = articles[aid]
            opinion = is_opinion(art.outlet, art.title)
            for p in passages:
                if p.passage_id in taken or not (MIN_CHARS <= len(p.text) <= MAX_CHARS):
                    continue
                if not rx.search(p.text):
                    continue
                if opinion:
                    strata["opinion"].append(p)
                elif EVALUATIVE.search(p.text):
                    strata["evaluative"].append(p)
                elif p.reported or REPORTED.search(p.text):
                    strata["reported"].append(p)
                strata["random"].append(p)
        per_article: Counter[str] = Counter()
        picked: set[str] = set()
        for stratum, quota in PER_TOPIC.items():
            pool = strata[stratum]
            rng.shuffle(pool)
            got = 0
            for p in pool:
                if p.passage_id in picked or per_article[p.article_id] >= MAX_PER_ARTICLE_TOPIC:
                    continue
                picked.add(p.passage_id)
                per_article[p.article_id] += 1
                art = articles[p.article_id]
                items.append(passage_item(p, by_article[p.article_id], art, topic, stratum, defs))
                got += 1
                if got == quota:
                    break
    rng.shuffle(items)
    unique = items
    for n, it in enumerate(unique):
        it["item"] = f"p{n:04d}"
        aid = it["article_id"]
        it["split"] = article_split.get(aid) or (
            "dev" if stable_unit(aid) < PASSAGE_DEV_SHARE else "train"
        )
    rng.shuffle(chosen)
    arts = [
        article_item(f"a{n:03d}", articles[aid], article_split[aid]) for n, aid in enumerate(chosen)
    ]
    old_split = {
        row["article_id"]: article_split.get(row["article_id"])
        or ("dev" if stable_unit(row["article_id"]) < PASSAGE_DEV_SHARE else "train")
        for row in labelled
    }
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "passages_to_label.jsonl").open("w", encoding="utf-8") as f:
        for it in unique:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    with (args.out / "articles_to_label.jsonl").open("w", encoding="utf-8") as f:
        for it in arts:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    splits = {
        "articles": {**old_split, **{i["article_id"]: i["split"] for i in unique}, **article_split}
    }
    (args.out / "splits.json").write_text(json.dumps(splits, indent=0, sort_keys=True) + "\n")
    print(f"{len(unique)} passages: {Counter((i['topic'], i['stratum']) for i in unique)}")
    print(
        f"{len(arts)} articles: {Counter(a['split'] for a in arts)}, "
        f"opinion {sum(a['opinion'] for a in arts)}"
    )


def passage_item(p, passages: list, art, topic: str, stratum: str, defs: dict) -> dict:
    """A passage to label, with its neighbours and the target's definitions."""
    k = passages.index(p)
    return {
        "passage_id": p.passage_id,
        "article_id": p.article_id,
        "title": art.title,
        "outlet": art.outlet,
        "topic": topic,
        "target": TARGETS[topic],
        "favor": defs[topic]["favor"],
        "against": defs[topic]["against"],
        "before": passages[k - 1].text if k > 0 else "",
        "text": p.text,
        "after": passages[k + 1].text if k + 1 < len(passages) else "",
        "stratum": stratum,
    }


def take(pool: list, quota: int, picked: set[str], per_article: Counter, cap: int) -> list:
    """Up to ``quota`` passages of ``pool`` in order, skipping those already picked and those of
    articles that have ``cap`` already; ``picked`` and ``per_article`` are updated."""
    chosen = []
    for p in pool:
        if len(chosen) == quota:
            break
        if p.passage_id in picked or per_article[p.article_id] >= cap:
            continue
        picked.add(p.passage_id)
        per_article[p.article_id] += 1
        chosen.append(p)
    return chosen


def second_round(out: Path) -> None:
    """Round 2: strictly on-topic passages and articles not drawn before (see ``EXCLUDE``)."""
    rng = random.Random(SEED + 2)
    reserved = reserved_ids()
    taken = {json.loads(x)["passage_id"] for x in NEWS_STANCE.open(encoding="utf-8")}
    first = [json.loads(x) for x in (out / "passages_to_label.jsonl").open(encoding="utf-8")]
    taken |= {it["passage_id"] for it in first}
    first_articles = {
        json.loads(x)["article_id"]
        for x in (out / "articles_to_label.jsonl").open(encoding="utf-8")
    }
    # Articles of news_stance passages keep their split (models may have trained on them).
    news_stance_articles = {json.loads(x)["article_id"] for x in NEWS_STANCE.open(encoding="utf-8")}
    splits = json.loads((out / "splits.json").read_text())
    corpus = load_corpus([ALLSIDES], progress=True)
    articles = {a.article_id: a for a in corpus.articles if a.article_id not in reserved}
    by_article: dict[str, list] = defaultdict(list)
    for p in corpus.passages:
        if p.article_id in articles:
            by_article[p.article_id].append(p)
    defs = target_definitions()
    about: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for aid, passages in by_article.items():
        for k, p in enumerate(passages):
            before = passages[k - 1].text if k else ""
            for topic in TOPIC_WORDS:
                if strictly_about(topic, p.text, before):
                    about[aid][topic].append(p)

    pool = [
        (aid, is_opinion(articles[aid].outlet, articles[aid].title))
        for aid in sorted(about)
        if aid not in first_articles
        and aid not in news_stance_articles
        and max(len(v) for v in about[aid].values()) >= ROUND2_MIN_TOPIC_PASSAGES
        and 1500 <= len(articles[aid].text) <= 14_000
    ]
    rng.shuffle(pool)
    chosen: list[str] = []
    per_outlet: Counter[str] = Counter()
    for want_opinion in (True, False):
        quota = int(ROUND2_ARTICLES * 0.65) if want_opinion else ROUND2_ARTICLES - len(chosen)
        for aid, opinion in pool:
            outlet = articles[aid].outlet or "?"
            if opinion != want_opinion or per_outlet[outlet] >= MAX_PER_OUTLET or quota == 0:
                continue
            chosen.append(aid)
            per_outlet[outlet] += 1
            quota -= 1
    article_split = outlet_balanced_split(chosen, articles, rng)

    items = []
    for topic in TOPIC_WORDS:
        strata: dict[str, list] = defaultdict(list)
        for aid in sorted(about):
            art = articles[aid]
            opinion = is_opinion(art.outlet, art.title)
            for p in about[aid][topic]:
                if p.passage_id in taken or not (MIN_CHARS <= len(p.text) <= MAX_CHARS):
                    continue
                if opinion:
                    strata["opinion"].append(p)
                if AGAINST_CUES[topic].search(p.text):
                    strata["against_cue"].append(p)
                if EVALUATIVE.search(p.text):
                    strata["evaluative"].append(p)
                if p.reported or REPORTED.search(p.text):
                    strata["reported"].append(p)
                strata["random"].append(p)
        per_article: Counter[str] = Counter()
        picked: set[str] = set()
        for stratum, share in ROUND2_SHARES.items():
            quota = min(int(share * ROUND2_TOTAL[topic]), ROUND2_TOTAL[topic] - len(picked))
            candidates = strata[stratum]
            rng.shuffle(candidates)
            for p in take(candidates, quota, picked, per_article, MAX_PER_ARTICLE_TOPIC):
                art = articles[p.article_id]
                items.append(passage_item(p, by_article[p.article_id], art, topic, stratum, defs))
    rng.shuffle(items)
    for n, it in enumerate(items):
        it["item"] = f"q{n:04d}"
        aid = it["article_id"]
        it["split"] = (
            article_split.get(aid)
            or splits["articles"].get(aid)
            or ("dev" if stable_unit(aid) < PASSAGE_DEV_SHARE else "train")
        )
    rng.shuffle(chosen)
    arts = [
        article_item(f"b{n:03d}", articles[aid], article_split[aid]) for n, aid in enumerate(chosen)
    ]
    with (out / "passages_to_label_r2.jsonl").open("w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    with (out / "articles_to_label_r2.jsonl").open("w", encoding="utf-8") as f:
        for it in arts:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    for it in items:
        splits["articles"].setdefault(it["article_id"], it["split"])
    splits["articles"].update(article_split)
    (out / "splits.json").write_text(json.dumps(splits, indent=0, sort_keys=True) + "\n")
    print(f"{len(items)} passages: {Counter((i['topic'], i['stratum']) for i in items)}")
    print(
        f"{len(arts)} articles: {Counter(a['split'] for a in arts)}, "
        f"opinion {sum(a['opinion'] for a in arts)}"
    )


def taken_passages(out: Path) -> set[str]:
    """Passage ids already labelled (news_stance and every round so far)."""
    taken = {json.loads(x)["passage_id"] for x in NEWS_STANCE.open(encoding="utf-8")}
    for path in sorted(out.glob("passages_to_label*.jsonl")):
        taken |= {json.loads(x)["passage_id"] for x in path.open(encoding="utf-8")}
    return taken


def rank_by_model(model_dir: Path, pairs: list[tuple[str, str]]) -> list[list[float]]:
    """P(favor, against, none) of the author head for (passage, target) pairs."""
    import torch

    from analysis.scoring.pair_model import load_pair_classifier, predict_proba

    model, tokenizer = load_pair_classifier(model_dir)
    model.eval()
    labels = model.config.heads["stance"]
    with torch.no_grad():
        probs = predict_proba(
            model,
            tokenizer,
            [t for t, _ in pairs],
            [g for _, g in pairs],
            [None] * len(pairs),
            batch_size=128,
            device="cpu",
        )["stance"]
    order = [labels.index(k) for k in ("favor", "against", "none")]
    return probs[:, order].tolist()


def sided_articles(out: Path) -> set[tuple[str, str]]:
    """(topic, article id) of train articles whose author takes a side on the topic."""
    splits = json.loads((out / "splits.json").read_text())["articles"]
    sided = set()
    for line in (out / "articles.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["label"] in ("favor", "against") and row["split"] == "train":
            sided.add((row["topic"], row["article_id"]))
    for line in (out / "news_passages.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["label"] in ("favor", "against") and splits.get(row["article_id"]) != "dev":
            sided.add((row["topic"], row["article_id"]))
    return sided


def third_round(out: Path, model_dir: Path) -> None:
    """Round 3: model-ranked passages of non-dev articles (see ``ROUND3_QUOTA``); train only."""
    rng = random.Random(SEED + 3)
    reserved = reserved_ids()
    taken = taken_passages(out)
    splits = json.loads((out / "splits.json").read_text())
    dev = {aid for aid, split in splits["articles"].items() if split == "dev"}
    corpus = load_corpus([ALLSIDES], progress=True)
    articles = {
        a.article_id: a
        for a in corpus.articles
        if a.article_id not in reserved and a.article_id not in dev
    }
    by_article: dict[str, list] = defaultdict(list)
    for p in corpus.passages:
        if p.article_id in articles:
            by_article[p.article_id].append(p)
    defs = target_definitions()
    candidates: list[tuple[str, object]] = []
    for aid in sorted(by_article):
        passages = by_article[aid]
        names_russia = bool(RUSSIA.search(articles[aid].text))
        for p in passages:
            if p.passage_id in taken or not (MIN_CHARS <= len(p.text) <= MAX_CHARS):
                continue
            for topic, rx in TOPIC_WORDS.items():
                hit = rx.search(p.text) or (topic == "arms_control" and ROUND3_ARMS.search(p.text))
                if not hit or EXCLUDE[topic].search(p.text):
                    continue
                if topic != "ukraine" and not names_russia:
                    continue
                candidates.append((topic, p))
    keyword = {(t, p.passage_id) for t, p in candidates}
    for topic, aid in sorted(sided_articles(out)):
        for p in by_article.get(aid, []):
            fits = MIN_CHARS <= len(p.text) <= MAX_CHARS
            if fits and p.passage_id not in taken and (topic, p.passage_id) not in keyword:
                candidates.append((topic + "/sided", p))
    probs = rank_by_model(model_dir, [(p.text, TARGETS[t.split("/")[0]]) for t, p in candidates])
    items = []
    for topic, quotas in ROUND3_QUOTA.items():
        sided = [
            (p, pr) for (t, p), pr in zip(candidates, probs, strict=True) if t == topic + "/sided"
        ]
        sided.sort(key=lambda x: x[1][2])
        quotas = {**quotas, "sided_article": ROUND3_SIDED_ARTICLE[topic]}
        mine = [(p, pr) for (t, p), pr in zip(candidates, probs, strict=True) if t == topic]
        top = max(1, int(len(mine) * ROUND3_TOP_SHARE))
        strata = {
            "sided_article": [p for p, _ in sided[: max(1, len(sided) // 2)]],
            "model_against": [p for p, _ in sorted(mine, key=lambda x: -x[1][1])[:top]],
            "model_favor": [p for p, _ in sorted(mine, key=lambda x: -x[1][0])[:top]],
            "against_cue": [p for p, _ in mine if AGAINST_CUES[topic].search(p.text)],
            "random": [p for p, _ in mine],
        }
        per_article: Counter[str] = Counter()
        picked: set[str] = set()
        for stratum, quota in quotas.items():
            pool = sorted(strata[stratum], key=lambda p: p.passage_id)
            rng.shuffle(pool)
            for p in take(pool, quota, picked, per_article, ROUND3_MAX_PER_ARTICLE_TOPIC):
                art = articles[p.article_id]
                items.append(passage_item(p, by_article[p.article_id], art, topic, stratum, defs))
    rng.shuffle(items)
    for n, it in enumerate(items):
        it["item"] = f"r{n:04d}"
        it["split"] = "train"
    with (out / "passages_to_label_r3.jsonl").open("w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    for it in items:
        splits["articles"].setdefault(it["article_id"], "train")
    (out / "splits.json").write_text(json.dumps(splits, indent=0, sort_keys=True) + "\n")
    print(f"{len(candidates)} candidates; {len(items)} passages:")
    print(Counter((i["topic"], i["stratum"]) for i in items))


if __name__ == "__main__":
    main()
