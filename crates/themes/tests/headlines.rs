//! The shipped rules `config/themes.toml` on the 100 real headlines of
//! `../shared/data/postal_express_news/postal_express_items.jsonl` (BDCI 2019 news titles with a
//! 30-character cleaned lead, THUCNews and TNEWS headlines, two web pages; see that folder's
//! SOURCES.md). They were gathered by a keyword filter (快递, 邮政, 包裹, 菜鸟 …), so most are
//! consumer complaints, crime, company and market news, or false friends (菜鸟 rookie, 邮储银行):
//! most should match no plan item.
//!
//! Printed: how many items match any plan item, the distribution per item and the matched
//! titles per item. Asserted: the plainly relevant items listed below match their item, and
//! the plainly irrelevant ones listed below match nothing.

use std::collections::BTreeMap;
use std::path::Path;

use yuqing_themes::{ThemeKind, ThemeSet};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/postal_express_news/postal_express_items.jsonl"
);

/// One headline record: id, title, body (empty when the source has none).
struct Headline {
    id: String,
    title: String,
    body: String,
}

/// Reads the JSONL file; `None` when the shared data is not there.
fn read_headlines() -> Option<Vec<Headline>> {
    let text = std::fs::read_to_string(Path::new(DATA)).ok()?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{DATA}: line {}: not JSON: {e}", n + 1));
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        out.push(Headline {
            id: field("id"),
            title: field("title"),
            body: field("body"),
        });
    }
    Some(out)
}

fn load_shipped() -> ThemeSet {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/themes.toml");
    ThemeSet::load(&path).unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()))
}

/// Plainly relevant items: (id, headline for the reader, item it must match).
const RELEVANT: &[(&str, &str, &str)] = &[
    (
        "45e0fe90c3e845c397e8e7c8a021019d",
        "快递新规今起正式实施（行政法规）",
        "s8.i20",
    ),
    (
        "test:4966",
        "邮政法修订草案拟规定快递业实行准入制",
        "s8.i20",
    ),
    (
        "dev:3912",
        "男子家中设制毒实验室 利用快递运输毒品",
        "s5.i12",
    ),
    (
        "02b0113997ba47feb038ab0728783b37",
        "公安局开展物流寄递业检查活动",
        "s5.i12",
    ),
    (
        "6af51c3c83b3427c96075a27ae7f6a29",
        "电瓶引燃快递站点 消防安全",
        "s5.i12",
    ),
    (
        "b84226213d73448e84b30e22ccd2194a",
        "顺丰与美结盟 国际递送服务",
        "s7.i17",
    ),
    (
        "af866270440d4655b56d2f9ef5a34368",
        "无人机邮递员现身贵阳山区",
        "s6.i16",
    ),
    (
        "bf28fc946be94476afeb7066980164cf",
        "快递外卖配送员交通违法将被查处（末端车辆）",
        "s6.i16",
    ),
    (
        "14c4afa3b4b14424a9953c08b7c2826c",
        "雪域邮路信使其美多吉获感动中国",
        "s10.i28",
    ),
    ("toutiao_5", "顺丰小哥汪勇连升3级", "s10.i28"),
];

/// Plainly irrelevant items (false friends, market and sports news, banking, plain consumer
/// complaints and ads): they must match no theme at all.
const IRRELEVANT: &[(&str, &str)] = &[
    ("dev:5185", "NBA官网赞篮网全能菜鸟"),
    ("test:8028", "阿森纳大赛菜鸟打出最完美一战"),
    ("test:9901", "股民亏损 菜鸟苦读炒股秘笈"),
    ("dev:8228", "英格兰永不迟到的邮差"),
    ("test:9354", "德邦证券：利空释放"),
    (
        "test:2979",
        "基金公告摘要快递 / 菜鸟飞行员（two records share this id）",
    ),
    ("dev:3839", "被有机纹理包裹的怪异人物"),
    ("7e76139a6f3c43c2a5e41a540ef84eb0", "邮政信用卡"),
    (
        "6c5adb03d30d44a5b31a313ffbc34d71",
        "邮储银行睢县支行扫黑除恶",
    ),
    (
        "ec0079d60dbb4e11b3e5fa9f55941ee5",
        "邮储银行宣城市分行走出户外",
    ),
    ("test:3296", "邮储银行苏州市分行助力百户家庭"),
    ("test:140", "邮政储蓄银行是不是国有银行"),
    ("dev:3598", "钱存在农村信用社好吗，和邮政比"),
    ("374f95a4e3eb40c990be0f6bf19a9fd3", "深圳不是广东的"),
    ("dev:4503", "丝路驿站神奇宁夏火爆台湾"),
    ("dev:76", "声音驿站"),
    ("test:5187", "农村这种野果"),
    ("dev:3574", "小米即将IPO"),
    ("ba927bf4fe874f4b94af43e9dbe886cd", "电站检修物资询价公告"),
    (
        "ed8f5386142448b9a4bec578276eec31",
        "业主投诉中山花园消防问题突出",
    ),
    (
        "a265c081cb344033b01f328f8f5c1652",
        "派出所解救传销被困人员 群众寄锦旗",
    ),
    (
        "96a4a5589fab41febbe1568b9c683376",
        "赌博网站快递查询（spam）",
    ),
    ("066d9de4a0f3445e83a5f72892e95fc3", "电话大全 快递物流餐饮"),
    ("1ce0263810e541b399cdd542f3fcd991", "投诉：东西丢失了没收到"),
    ("18ae5235e9a94471bf4f743ea4614f79", "投诉圆通速递公司"),
    ("55d2f277144d422ca68598b69da05f79", "收货地址改怎么写"),
    ("dev:3935", "快递丢了你该怎么办"),
];

#[test]
fn real_headlines_match_plausible_items() {
    let Some(items) = read_headlines() else {
        println!("SKIPPED: ../shared/data not found");
        return;
    };
    assert_eq!(items.len(), 100, "{DATA}: expected the 100 gathered items");
    let set = load_shipped();
    let is_item = |id: &str| set.theme(id).is_some_and(|t| t.kind == ThemeKind::Item);

    let mut per_item: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Record ids repeat across source sets (test:2979 is two headlines): keep every record.
    let mut matched: Vec<(&str, Vec<String>)> = Vec::new();
    for h in &items {
        let themes: Vec<String> = set
            .match_article(&h.title, &h.body)
            .into_iter()
            .map(|m| m.theme)
            .filter(|t| is_item(t))
            .collect();
        for t in &themes {
            per_item
                .entry(t.clone())
                .or_default()
                .push(format!("{} [{}]", h.title, h.id));
        }
        if !themes.is_empty() {
            matched.push((h.id.as_str(), themes));
        }
    }
    println!(
        "headlines: {} of {} items match at least one plan item",
        matched.len(),
        items.len()
    );
    for t in set.themes().iter().filter(|t| t.kind == ThemeKind::Item) {
        let titles = per_item.get(&t.id).map_or(&[][..], Vec::as_slice);
        println!("{:8} {:3}  {}", t.id, titles.len(), t.name);
        for title in titles {
            println!("             {title}");
        }
    }

    let mut problems = Vec::new();
    let themes_of = |id: &str| -> Vec<&String> {
        matched
            .iter()
            .filter(|(m, _)| *m == id)
            .flat_map(|(_, t)| t)
            .collect()
    };
    for (id, title, item) in RELEVANT {
        assert!(
            items.iter().any(|h| h.id == *id),
            "{DATA}: no item with id {id} ({title})"
        );
        let got = themes_of(id);
        if !got.iter().any(|t| *t == item) {
            problems.push(format!("{title} [{id}] should match {item}, got {got:?}"));
        }
    }
    for (id, title) in IRRELEVANT {
        assert!(
            items.iter().any(|h| h.id == *id),
            "{DATA}: no item with id {id} ({title})"
        );
        let got = themes_of(id);
        if !got.is_empty() {
            problems.push(format!("{title} [{id}] should match nothing, got {got:?}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

const BDCI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/news_sentiment_bdci2019/bdci2019_news_sentiment_balanced.csv"
);

/// The keyword filter that built `postal_express_news` (its SOURCES.md): a text without any of
/// these is not about the postal or express industry.
const POSTAL_WORDS: &[&str] = &[
    "快递", "快件", "邮政", "邮局", "邮递", "寄递", "包裹", "顺丰", "圆通", "中通", "申通", "韵达",
    "百世", "德邦", "极兔", "菜鸟", "ems", "邮储", "揽收", "派件", "驿站", "邮票", "邮路", "投递",
    "邮差",
];

/// Precision on general news: the 2,289 BDCI 2019 internet-news items (title + 30-character
/// cleaned lead, every topic: finance, property, local government, society). A plan item may
/// only match texts about the industry, i.e. texts with a postal word.
#[test]
fn general_news_matches_only_postal_texts() {
    let Ok(text) = std::fs::read_to_string(BDCI) else {
        println!("SKIPPED: ../shared/data not found");
        return;
    };
    let set = load_shipped();
    let (mut total, mut postal, mut matched) = (0usize, 0usize, 0usize);
    let mut off_topic = Vec::new();
    // Columns id,title,content_prefix,label,label_name; the set has no punctuation in its
    // texts (see SOURCES.md), so a plain split on ',' is exact.
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let [_, title, lead, _, _] = cols[..] else {
            panic!("{BDCI}: line not of 5 columns: {line}");
        };
        total += 1;
        let lower = format!("{title} {lead}").to_lowercase();
        let is_postal = POSTAL_WORDS.iter().any(|w| lower.contains(w));
        postal += usize::from(is_postal);
        let items: Vec<String> = set
            .match_article(title, lead)
            .into_iter()
            .map(|m| m.theme)
            .filter(|t| t.contains(".i"))
            .collect();
        if items.is_empty() {
            continue;
        }
        matched += 1;
        println!("bdci match: {title} | {lead} -> {items:?}");
        if !is_postal {
            off_topic.push(format!("{title} -> {items:?}"));
        }
    }
    println!(
        "bdci: {matched} of {total} general news items match a plan item ({postal} contain a postal word)"
    );
    assert_eq!(total, 2289, "{BDCI}: expected 2,289 rows");
    assert!(
        off_topic.is_empty(),
        "plan items matched news outside the industry: {off_topic:#?}"
    );
}
