"""aggregate() on a real store: tags written, multi-country sources, retagging only what changed."""

from __future__ import annotations

from datetime import datetime, timezone

from aggregator.run import aggregate
from marathon.config import bundled_path, load_config
from marathon.model import Post, Source, make_post_id
from marathon.store import iter_posts, open_store, save_sources, upsert_posts

MARATHON = Source(id="intl-marathon", name="We Are Together Online", organization="Marathon team", country="RU",
                  platform="telegram", url="http://127.0.0.1/s/marathon", country_from_content=True)
KURSK = Source(id="ru-kursk", name="Kursk", organization="Medical Volunteers", country="RU", platform="telegram",
               url="http://127.0.0.1/s/kursk")


def post(source: Source, native_id: str, text: str) -> Post:
    return Post(id=make_post_id(source.id, native_id), source_id=source.id, platform=source.platform,
                url=f"{source.url}/{native_id}", native_id=native_id, text=text,
                published=datetime(2020, 5, 14, 9, tzinfo=timezone.utc))


def test_posts_of_a_multi_country_source_are_tagged_with_the_countries_they_name(db_path):
    db = open_store(db_path)
    save_sources(db, [MARATHON, KURSK])
    upsert_posts(db, [
        post(MARATHON, "1", "Второй день марафона: выступают молодёжные организации Казахстана и Кыргызстана. #МыВместе"),
        post(MARATHON, "2", "Спасибо всем зрителям марафона, нас посмотрели 250 тысяч человек!"),
        post(KURSK, "3", "Волонтёры Курска передают привет друзьям из Казахстана! #МыВместе"),
    ])
    aggregate(db, load_config(bundled_path("marathon.toml")))
    tagged = {p.native_id: (p.country, p.countries) for p in iter_posts(db)}
    assert tagged == {"1": ("KZ", ["KZ", "KG"]), "2": ("RU", ["RU"]), "3": ("RU", ["RU"])}


def test_a_second_run_retags_nothing_unless_text_or_config_changed(db_path):
    db = open_store(db_path)
    save_sources(db, [KURSK])
    upsert_posts(db, [post(KURSK, "3", "Волонтёры Курска доставили лекарства пожилым людям. #МыВместе")])
    config = load_config(bundled_path("marathon.toml"))
    assert aggregate(db, config).tagged == 1
    assert aggregate(db, config).tagged == 0
    upsert_posts(db, [post(KURSK, "3", "Волонтёры Курска доставили лекарства и продукты пожилым людям. #МыВместе")])
    assert aggregate(db, config).tagged == 1
