"""Site learning in every script: a block repeated on most pages of a site is learned, whether
the site writes words with spaces or without (``pipeline.cleaning.site_learning``)."""

from __future__ import annotations

import pytest

from pipeline.cleaning import Cleaner
from pipeline.cleaning.site_learning import SiteBoilerplate, page_blocks
from pipeline.extract.extractor import Extractor
from pipeline.record import Page
from pipeline.textnorm import fold

# (chrome line repeated on every page, a story paragraph per page) in three scripts.
SITES = {
    "ja": (
        "全文を読むには会員登録をお願いします",
        [
            "東京都は三日、新しい防災計画を発表した。計画では避難所の数を増やし、高齢者への支援を強化する。",
            "大阪市の中心部で大規模な再開発が始まった。完成は五年後の予定で、商業施設と住宅が建設される。",
            "北海道では記録的な大雪が続き、交通機関に大きな影響が出ている。気象庁は警戒を呼びかけた。",
            "政府は来年度の予算案をまとめた。社会保障費が過去最大となり、財政の健全化が課題となっている。",
            "京都の老舗旅館が創業三百年を迎えた。記念の式典には地元の人々や常連客が多く集まった。",
        ],
    ),
    "zh": (
        "订阅我们的新闻通讯获取每日要闻",
        [
            "北京市今天公布了新的交通规划，计划在五年内新增多条地铁线路，以缓解城市拥堵问题。",
            "上海的科技企业在今年第三季度实现了快速增长，多家公司宣布扩大在本地的研发投入。",
            "广州举办了国际美食节，来自世界各地的厨师展示了各自的拿手菜，吸引了大量游客参观。",
            "深圳的新能源汽车销量继续攀升，专家认为充电设施的完善是推动增长的重要原因之一。",
            "成都大熊猫繁育研究基地迎来了两只新生幼崽，工作人员表示母子状况良好，健康成长。",
        ],
    ),
    "en": (
        "Sign up for our morning briefing newsletter",
        [
            "The city council approved a new budget on Tuesday after a long debate about road repairs.",
            "Heavy rain flooded several streets in the old town overnight, and schools opened late.",
            "The local football club signed a young striker from the second division this week.",
            "A new library branch opened in the northern district with a large children's section.",
            "Farmers in the valley reported an early harvest thanks to a warm and dry late summer.",
        ],
    ),
}


def page_html(chrome: str, story: str, n: int) -> str:
    return (
        f"<html><head><title>Story {n}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Story {n}</h1>"
        f"<p>{story}</p><p>{story}</p><p>{story}</p><p>{chrome}</p></article>"
        "</body></html>"
    )


@pytest.mark.parametrize("language", sorted(SITES))
def test_a_line_on_every_page_is_learned_and_a_story_is_not(language: str) -> None:
    chrome, stories = SITES[language]
    learning = SiteBoilerplate("site")
    learned = learning.learn(page_blocks(page_html(chrome, s, n)) for n, s in enumerate(stories))
    assert learned == {fold(chrome)}, learned  # folded, as the cleaner compares them


def test_a_learned_japanese_line_is_removed_from_the_sites_articles() -> None:
    chrome, stories = SITES["ja"]
    pages = (page_blocks(page_html(chrome, s, n)) for n, s in enumerate(stories))
    learned = SiteBoilerplate("site").learn(pages)
    extractor = Extractor(cleaner=Cleaner(learned={"site": learned}))
    html = page_html(chrome, stories[0], 0)
    page = Page(url="https://news.example.jp/a/1", source="site", body=html.encode(), status=200)
    article = extractor.extract_page(page, explicit=True)
    assert chrome not in article.text  # inside <article>: only site learning takes it out
    assert ("learned-site-boilerplate", chrome) in {(r.rule, r.text) for r in article.removed}
    assert stories[0] in article.text


def test_learning_keeps_only_the_counts_it_saves() -> None:
    """Each page's own paragraphs are counted too; past learning, only the most frequent survive."""
    chrome = "Sign up for our morning briefing newsletter"
    pages = [{chrome, f"story number {n} told in a few words"} for n in range(6000)]
    learning = SiteBoilerplate("site")
    assert learning.learn(pages) == {chrome}
    assert len(learning.counts) == 5000 and learning.counts[chrome] == 6000
    assert learning.learned() == {chrome}
