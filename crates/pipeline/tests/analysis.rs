//! The analysis stage end to end: 30 hand-written articles ingested through
//! `Pipeline::ingest` with the shipped config (themes, lexicon, dictionary) copied to a temp
//! dir, then checked in the store (`Store::analysis`) and the index (`ArticleIndex::search`
//! with theme / sentiment filters, facets, collapse); re-ingest; rematch after a themes edit.
//!
//! The texts are written for this test: 6 on green packaging (item s4.i10, "9792" 工程),
//! 6 on 快递进村 (item s6.i16), one 双十一 story in 5 reprints, 2 negative stories about
//! couriers and 11 general news items without any postal word.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use yuqing_index::SearchRequest;
use yuqing_model::{Article, ArticleId, SentimentLabel, Tier};
use yuqing_pipeline::Pipeline;
use yuqing_store::UpsertOutcome;
use yuqing_testkit::{config_with_data_dir, copy_dir};

/// Green packaging (s4.i10). Articles 1 and 4 mention 示范城市 (removed by the rematch edit).
const GREEN: &[(&str, &str)] = &[
    (
        "快递包装绿色治理取得新进展",
        "国家邮政局通报，今年以来全行业深入推进“9792”工程，电商快件不再二次包装比例明显提高，主要品牌快递企业的电子运单使用率接近百分之百。下一步将继续压实企业主体责任，推动包装减量。",
    ),
    (
        "某市推广可循环快递箱",
        "记者从市邮政管理局获悉，本市已在三百个快递网点投放可循环快递箱，消费者收件后可将箱子交还网点重复使用。本市被列为示范城市，计划年底前覆盖全部大型分拨中心。",
    ),
    (
        "快递企业推广瘦身胶带",
        "多家快递企业在分拣中心全面使用45毫米以下的瘦身胶带，单件包裹的胶带用量减少约三成。企业负责人介绍，推广免胶带包装箱还需要上游商家配合，相关标准正在制定。",
    ),
    (
        "邮政新能源车队扩容",
        "中国邮政某省分公司新购置两百辆新能源汽车用于城区揽收，燃油消耗和碳排放大幅下降。公司表示将逐步淘汰老旧燃油车，建设更多充电设施，打造一批绿色网点。",
    ),
    (
        "电商平台减少过度包装",
        "在邮政管理部门指导下，多家电商平台与快递企业签署承诺书，杜绝过度包装，推行原箱发货。去年以来平台商家原箱发货的比例提升了二十个百分点，示范城市的成效尤为明显。",
    ),
    (
        "快递包装废弃物回收试点启动",
        "该区在居民小区设置快递包装回收台，鼓励居民交回完好的包装材料。快递企业将回收的包装清洗后再次投入使用，实现包装废弃物减量，助力9792工程目标落地。",
    ),
];

/// 快递进村 (s6.i16).
const VILLAGE: &[(&str, &str)] = &[
    (
        "山阳县建制村实现快递进村全覆盖",
        "记者从山阳县邮政管理部门获悉，截至十一月底，该县一百八十二个建制村全部实现快递服务进村，村民足不出户就能收寄包裹。县里采取邮快合作模式统一承接各品牌快件的进村投递。",
    ),
    (
        "快递进村工程带动农产品外销",
        "随着快递进村工程深入实施，当地苹果、核桃等农产品通过快递网络卖向全国，今年农产品寄递量同比增长四成。果农说，以前要跑几十里路寄包裹，现在村口就能发货。",
    ),
    (
        "村级快递服务站开进深山",
        "在偏远山区，县邮政分公司与多家快递企业合作建设村级寄递物流综合服务站，每个服务站配有专职人员，负责快件收发和代收代投，打通农村寄递最后一公里。",
    ),
    (
        "快递进村班车每日两班",
        "为保障快递进村时效，县里开通了覆盖全部乡镇的邮路班车，每天上下午各一班，快件从县城分拨中心到村民手中不超过两天，群众收寄更方便了。县邮政管理局将定期抽查班车运行记录。",
    ),
    (
        "农村电商与快递协同发展",
        "该省推动农村电商与快递物流协同发展，建设县级共配中心，整合邮政、圆通、中通等品牌的快件统一配送到村，单件配送成本下降近一半。省里还将对表现突出的县给予资金奖励。",
    ),
    (
        "智能快件箱进驻乡村",
        "今年全县新增智能快件箱八十组，主要布放在行政村便民服务中心，村民凭取件码即可自助取件。邮政部门还在部分村庄试点无人机投递，山区收件时间缩短一半。",
    ),
];

/// One 双十一 story; the reprints wrap it in a source line or an editor line.
const STORY_TITLE: &str = "双十一快递业务量创历史新高";
const STORY: &str = "国家邮政局监测数据显示，十一月一日至十一日，全国邮政快递企业共揽收快递包裹三十九亿件，同比增长百分之二十三，日均揽收量是平日的两倍多。国家邮政局表示，各企业提前储备运力、增加临时人员，全网运行总体平稳有序。";

/// Negative stories. The first has 纸箱 in its headline (added to s4.i10 by the rematch edit).
const NEGATIVE: &[(&str, &str)] = &[
    (
        "快递网点暴力分拣 多件包裹纸箱破损",
        "近日有市民反映，某快递网点工作人员暴力分拣，随意抛扔包裹，导致多件快件破损、物品损坏。消费者投诉后迟迟得不到处理，网点负责人态度恶劣，拒绝赔偿。邮政管理部门已介入调查。",
    ),
    (
        "快递员遭拖欠工资 多名员工维权",
        "多名快递员反映，所在加盟网点连续三个月拖欠工资，还以各种理由克扣罚款，员工多次讨薪无果。网点负责人失联，员工只能向劳动监察部门投诉维权，事件引发不满。",
    ),
];

/// General news without any postal word: no plan theme may match.
const GENERAL: &[(&str, &str)] = &[
    (
        "市区新增三条公交线路",
        "市交通运输局发布消息，为方便市民出行，本月起市区新开通三条公交线路，连接城东新区与火车站、市第一医院等主要站点，首末班时间分别为早六点和晚十点。",
    ),
    (
        "全市中考报名人数创新高",
        "市教育局公布，今年全市共有四万二千名考生报名参加中考，比去年增加三千人。普通高中招生计划同步扩大，新建的两所高中将于九月投入使用。考试将于六月中旬举行，成绩预计七月初公布。",
    ),
    (
        "夏季高温来袭专家提醒防暑",
        "气象台预计，未来一周本地最高气温将达三十八度。专家提醒，老人和儿童应尽量避免午后外出，户外作业人员要合理安排工作时间，注意补充水分。各医院也已做好中暑病人的救治准备。",
    ),
    (
        "社区卫生服务中心建成投用",
        "记者从市卫健委获悉，全市今年新建社区卫生服务中心十二个，配备全科医生和家庭医生团队，居民在家门口即可完成常见病诊疗和慢病随访。明年还将再建设八个这样的中心。",
    ),
    (
        "全省运动会开幕",
        "第十五届全省运动会昨晚在省体育中心开幕，本届运动会共设二十个大项，来自全省十三个地市的两千余名运动员将在十天内展开角逐。开幕式上还进行了大型文艺表演，现场观众超过三万人。",
    ),
    (
        "图书馆延长开放时间",
        "市图书馆宣布，自下月起周末开放时间延长至晚上九点，并新增自习座位三百个。馆方表示，此举是为了满足备考学生和上班族的阅读需求。读者可通过官方网站查询座位的实时使用情况。",
    ),
    (
        "老旧小区改造启动",
        "今年全市计划改造老旧小区八十个，涉及居民两万余户，改造内容包括加装电梯、更新管网、增设停车位和充电桩，预计年底前全部完工。改造期间社区将安排专人听取居民意见。",
    ),
    (
        "本地新能源汽车销量增长",
        "乘用车协会数据显示，上月本地新能源汽车销量同比增长六成，占新车销量的比重首次超过三成，充电基础设施建设也在加快推进。业内人士预计这一趋势在下半年仍将持续。",
    ),
    (
        "农贸市场完成升级改造",
        "城西农贸市场经过半年改造重新开业，市场内设置了统一的电子秤和溯源系统，摊位整洁有序，前来买菜的市民纷纷点赞。市场管理方表示还将引进更多本地特色商户，丰富市民的菜篮子。",
    ),
    (
        "博物馆推出夜场活动",
        "市博物馆本周推出夜间开放活动，观众可以在讲解员带领下参观青铜器展厅，并参加文物修复体验课程，活动需提前在网上预约。每场限额二百人，青少年观众可享受半价优惠。",
    ),
    (
        "河道治理工程通过验收",
        "经过两年施工，城南河道综合治理工程日前通过验收，河道两岸建成了六公里长的滨水步道，水质由劣五类提升到四类。周边居民表示，傍晚来河边散步的人明显多了，环境越来越好。",
    ),
];

fn article(key: &str, n: usize, title: &str, body: String) -> Article {
    let url = format!("https://test.example.cn/{key}.html");
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap() + Duration::hours(n as i64);
    Article {
        source: format!("src-{}", n % 3),
        tier: Tier::ALL[n % Tier::ALL.len()],
        fetched_at: at + Duration::minutes(5),
        ..yuqing_testkit::article(&url, title, body, at)
    }
}

/// The 30 articles by group: (green, village, reprints, negative, general).
struct Corpus {
    green: Vec<Article>,
    village: Vec<Article>,
    reprints: Vec<Article>,
    negative: Vec<Article>,
    general: Vec<Article>,
}

impl Corpus {
    fn new() -> Corpus {
        let mut n = 0;
        let mut group = |prefix: &str, texts: &[(&str, &str)]| -> Vec<Article> {
            texts
                .iter()
                .enumerate()
                .map(|(i, (t, b))| {
                    n += 1;
                    article(&format!("{prefix}{i}"), n, t, b.to_string())
                })
                .collect()
        };
        let green = group("green", GREEN);
        let village = group("village", VILLAGE);
        let negative = group("neg", NEGATIVE);
        let general = group("gen", GENERAL);
        let reprints = [
            (STORY_TITLE, STORY.to_string()),
            (STORY_TITLE, format!("（转载自新华网）\n{STORY}")),
            (STORY_TITLE, format!("{STORY}\n责任编辑：王五")),
            (
                "双十一期间快件揽收三十九亿件",
                format!("编者按：本文转载自合作媒体。\n{STORY}"),
            ),
            (
                STORY_TITLE,
                format!("（来源：人民网）\n{STORY}\n（编辑：李四）"),
            ),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (t, b))| article(&format!("reprint{i}"), 40 + i, t, b))
        .collect();
        Corpus {
            green,
            village,
            reprints,
            negative,
            general,
        }
    }

    fn all(&self) -> impl Iterator<Item = &Article> {
        self.green
            .iter()
            .chain(&self.village)
            .chain(&self.reprints)
            .chain(&self.negative)
            .chain(&self.general)
    }

    /// Two batches; the reprint set is split across them so the second batch's reprints
    /// are confirmed against the store, not only within their batch.
    fn batches(&self) -> Vec<Vec<Article>> {
        let mut first: Vec<Article> = self.green.clone();
        first.extend(self.reprints[..2].iter().cloned());
        first.extend(self.general[..6].iter().cloned());
        let mut second: Vec<Article> = self.village.clone();
        second.extend(self.reprints[2..].iter().cloned());
        second.extend(self.negative.iter().cloned());
        second.extend(self.general[6..].iter().cloned());
        vec![first, second]
    }
}

fn open(cfg: &Path, data: &Path) -> Pipeline {
    Pipeline::open(config_with_data_dir(&cfg.join("yuqing.toml"), data)).unwrap()
}

fn ids_of(articles: &[Article]) -> BTreeSet<String> {
    articles.iter().map(|a| a.id.to_string()).collect()
}

/// Ids the index returns for `req` (up to 100).
fn search_ids(p: &Pipeline, mut req: SearchRequest) -> BTreeSet<String> {
    req.limit = 100;
    p.index()
        .search(&req)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn theme_request(theme: &str) -> SearchRequest {
    let mut req = SearchRequest::new("");
    req.theme = Some(theme.into());
    req
}

/// Stored theme ids of article `a`.
fn stored_themes(p: &Pipeline, a: &Article) -> BTreeSet<String> {
    p.store()
        .analysis(&a.id)
        .unwrap()
        .unwrap()
        .themes
        .into_iter()
        .map(|m| m.theme)
        .collect()
}

#[test]
fn ingest_analysis_reingest_and_rematch() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    copy_dir(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config")),
        &cfg,
    );
    let data = dir.path().join("data");
    let corpus = Corpus::new();
    let all: Vec<&Article> = corpus.all().collect();
    assert_eq!(all.len(), 30);

    let pipeline = open(&cfg, &data);
    assert!(pipeline.analyzer().themes().is_some());
    let outcomes = pipeline.ingest(corpus.batches()).unwrap();
    assert_eq!(outcomes.len(), 30);
    assert!(outcomes.iter().all(|o| *o == UpsertOutcome::New));

    // Stored analysis: plan themes.
    for a in &corpus.green {
        let themes = stored_themes(&pipeline, a);
        assert!(themes.contains("s4.i10"), "{}: {themes:?}", a.title);
        assert!(themes.contains("s4"), "{}: {themes:?}", a.title);
        assert!(!themes.contains("s6.i16"), "{}: {themes:?}", a.title);
    }
    for a in &corpus.village {
        let themes = stored_themes(&pipeline, a);
        assert!(themes.contains("s6.i16"), "{}: {themes:?}", a.title);
        assert!(themes.contains("s6"), "{}: {themes:?}", a.title);
        assert!(!themes.contains("s4.i10"), "{}: {themes:?}", a.title);
    }
    for a in corpus.reprints.iter().chain(&corpus.negative) {
        let themes = stored_themes(&pipeline, a);
        assert!(!themes.contains("s4.i10"), "{}: {themes:?}", a.title);
        assert!(!themes.contains("s6.i16"), "{}: {themes:?}", a.title);
    }
    for a in &corpus.general {
        let themes = stored_themes(&pipeline, a);
        assert!(themes.is_empty(), "{}: {themes:?}", a.title);
    }

    // Sentiment: the two complaint stories are negative.
    for a in &corpus.negative {
        let analysis = pipeline.store().analysis(&a.id).unwrap().unwrap();
        let s = analysis.sentiment.unwrap();
        assert_eq!(s.label, SentimentLabel::Negative, "{}: {s:?}", a.title);
        assert!(s.score < 0.0, "{}: {s:?}", a.title);
    }

    // Clusters: the reprints share the first one's id; every other article is alone.
    let cluster = |a: &Article| {
        pipeline
            .store()
            .analysis(&a.id)
            .unwrap()
            .unwrap()
            .cluster
            .unwrap()
    };
    let original = &corpus.reprints[0].id;
    for a in &corpus.reprints {
        assert_eq!(&cluster(a), original, "{}", a.url);
    }
    let loners: Vec<&Article> = all
        .iter()
        .copied()
        .filter(|a| !corpus.reprints.iter().any(|r| r.id == a.id))
        .collect();
    for a in &loners {
        assert_eq!(cluster(a), a.id, "{}", a.title);
        assert!(
            pipeline
                .store()
                .analysis(&a.id)
                .unwrap()
                .unwrap()
                .fingerprint
                .is_some(),
            "{}: no fingerprint",
            a.title
        );
    }
    let clusters_before: BTreeMap<String, ArticleId> =
        all.iter().map(|a| (a.id.to_string(), cluster(a))).collect();

    // Index: theme and sentiment filters, facets, collapse.
    assert_eq!(
        search_ids(&pipeline, theme_request("s4.i10")),
        ids_of(&corpus.green)
    );
    assert_eq!(
        search_ids(&pipeline, theme_request("s6.i16")),
        ids_of(&corpus.village)
    );
    let mut req = SearchRequest::new("");
    req.sentiment = Some(SentimentLabel::Negative);
    let negative = search_ids(&pipeline, req);
    assert!(ids_of(&corpus.negative).is_subset(&negative));
    let stored_negative: BTreeSet<String> = all
        .iter()
        .filter(|a| {
            pipeline
                .store()
                .analysis(&a.id)
                .unwrap()
                .unwrap()
                .sentiment
                .is_some_and(|s| s.label == SentimentLabel::Negative)
        })
        .map(|a| a.id.to_string())
        .collect();
    assert_eq!(negative, stored_negative);

    let mut req = SearchRequest::new("");
    req.limit = 0;
    req.facets = true;
    let facets = pipeline.index().search(&req).unwrap().facets.unwrap();
    let theme_count = |key: &str| {
        facets
            .theme
            .iter()
            .find(|f| f.key == key)
            .map_or(0, |f| f.count)
    };
    assert_eq!(theme_count("s4.i10"), 6);
    assert_eq!(theme_count("s6.i16"), 6);
    let sentiment_total: u64 = facets.sentiment.iter().map(|f| f.count).sum();
    assert_eq!(sentiment_total, 30);

    let mut req = SearchRequest::new("");
    req.limit = 100;
    req.collapse = true;
    let collapsed = pipeline.index().search(&req).unwrap();
    assert_eq!(collapsed.total, 26);
    let story = collapsed
        .hits
        .iter()
        .find(|h| h.cluster == original.to_string())
        .unwrap();
    assert_eq!(story.cluster_size, 5);
    assert!(
        collapsed
            .hits
            .iter()
            .filter(|h| h.cluster != original.to_string())
            .all(|h| h.cluster_size == 1 && h.cluster == h.id)
    );

    // Re-ingesting the same articles: all unchanged, clusters kept.
    let outcomes = pipeline.ingest(corpus.batches()).unwrap();
    assert_eq!(outcomes.len(), 30);
    assert!(
        outcomes.iter().all(|o| *o == UpsertOutcome::Unchanged),
        "{outcomes:?}"
    );
    let clusters_after: BTreeMap<String, ArticleId> =
        all.iter().map(|a| (a.id.to_string(), cluster(a))).collect();
    assert_eq!(clusters_after, clusters_before);
    assert_eq!(pipeline.index().search(&req).unwrap().total, 26);
    drop(pipeline);

    // Rematch with the rules unchanged rewrites nothing (pipeline re-opened: clusters
    // restored from the store).
    let pipeline = open(&cfg, &data);
    let report = pipeline.rematch().unwrap();
    assert_eq!(report.articles, 30);
    assert_eq!(report.reindexed, 0);
    assert_eq!(report.rewritten, 0);
    assert!(report.added.is_empty() && report.removed.is_empty());
    drop(pipeline);

    // Edit s4.i10: `纸箱` joins `any` (hits the first negative headline), `示范城市` becomes a
    // `not` term (two green articles).
    let path = cfg.join("themes.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("id = \"s4.i10\"\n").unwrap();
    let any_at = start + text[start..].find("any = [").unwrap() + "any = [".len();
    let all_end = start + text[start..].find("]]\n").unwrap() + "]]\n".len();
    let edited = format!(
        "{}\"纸箱\", {}not = [\"示范城市\"]\n{}",
        &text[..any_at],
        &text[any_at..all_end],
        &text[all_end..]
    );
    std::fs::write(&path, edited).unwrap();

    let pipeline = open(&cfg, &data);
    let report = pipeline.rematch().unwrap();
    // Only s4.i10 changed: only its candidates are matched again.
    assert_eq!(report.changed_themes, ["s4.i10"], "{report:?}");
    assert!((7..30).contains(&report.articles), "{report:?}");
    assert_eq!(report.added.get("s4.i10"), Some(&1), "{report:?}");
    assert_eq!(report.removed.get("s4.i10"), Some(&2), "{report:?}");
    assert_eq!(report.reindexed, 3, "{report:?}");
    assert!(report.rewritten >= 3, "{report:?}");

    let mut expected: BTreeSet<String> = [0, 2, 3, 5]
        .iter()
        .map(|&i| corpus.green[i].id.to_string())
        .collect();
    expected.insert(corpus.negative[0].id.to_string());
    assert_eq!(search_ids(&pipeline, theme_request("s4.i10")), expected);
    assert!(stored_themes(&pipeline, &corpus.negative[0]).contains("s4.i10"));
    assert!(!stored_themes(&pipeline, &corpus.green[1]).contains("s4.i10"));
    assert!(!stored_themes(&pipeline, &corpus.green[4]).contains("s4.i10"));
    // Rematch keeps sentiment and clusters.
    for a in &corpus.reprints {
        assert_eq!(&cluster_of(&pipeline, a), original);
    }
    let hit = pipeline
        .index()
        .search(&theme_request("s4.i10"))
        .unwrap()
        .hits
        .into_iter()
        .find(|h| h.id == corpus.negative[0].id.to_string())
        .unwrap();
    assert_eq!(hit.sentiment, Some(SentimentLabel::Negative));
    assert_eq!(hit.cluster, hit.id);

    // A second rematch finds nothing left to do (no rule changed: no article read).
    let again = pipeline.rematch().unwrap();
    assert_eq!(
        (again.articles, again.reindexed, again.rewritten),
        (0, 0, 0)
    );
}

fn cluster_of(p: &Pipeline, a: &Article) -> ArticleId {
    p.store().analysis(&a.id).unwrap().unwrap().cluster.unwrap()
}

/// An analyst's correction (stored by the web UI) reaches the index: `apply_corrections`
/// re-indexes exactly the corrected article, search by sentiment then follows the analyst,
/// and a second call has nothing to do.
#[test]
fn corrections_reach_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    copy_dir(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config")),
        &cfg,
    );
    let data = dir.path().join("data");
    let corpus = Corpus::new();
    let pipeline = open(&cfg, &data);
    pipeline.ingest(corpus.batches()).unwrap();
    let negative_request = || {
        let mut req = SearchRequest::new("");
        req.sentiment = Some(SentimentLabel::Negative);
        req
    };
    let before = search_ids(&pipeline, negative_request());
    let target = &corpus.green[0];
    assert!(!before.contains(&target.id.to_string()));
    assert_eq!(
        pipeline.apply_corrections().unwrap(),
        0,
        "nothing corrected yet"
    );

    pipeline
        .store()
        .record_correction(&target.id, SentimentLabel::Negative, "analyst", Utc::now())
        .unwrap();
    // Until applied, the index keeps the model's label.
    assert_eq!(search_ids(&pipeline, negative_request()), before);
    assert_eq!(pipeline.apply_corrections().unwrap(), 1);
    let after = search_ids(&pipeline, negative_request());
    let mut expected = before.clone();
    expected.insert(target.id.to_string());
    assert_eq!(after, expected);
    let stored = pipeline.index().analysis(&target.id).unwrap().unwrap();
    assert_eq!(stored.sentiment, Some(SentimentLabel::Negative));
    // Themes and cluster survive the re-index.
    assert_eq!(
        stored.themes.iter().cloned().collect::<BTreeSet<_>>(),
        stored_themes(&pipeline, target)
    );
    assert_eq!(pipeline.apply_corrections().unwrap(), 0, "idempotent");
}
