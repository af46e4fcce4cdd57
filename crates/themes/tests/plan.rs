//! Plan import on the real shared plan (`../shared/plans/postal-publicity-plan-2020.txt`).

use yuqing_text::Segmenter;
use yuqing_themes::{Background, ThemeSet, fill_terms, parse_plan, plan_to_toml, propose_terms};

const PLAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/plans/postal-publicity-plan-2020.txt"
);

fn plan_text() -> Option<String> {
    match std::fs::read_to_string(PLAN) {
        Ok(t) => Some(t),
        Err(_) => {
            println!("SKIPPED: ../shared/plans not found");
            None
        }
    }
}

#[test]
fn shared_plan_structure() {
    let Some(text) = plan_text() else { return };
    let plan = parse_plan(&text).unwrap();
    assert_eq!(plan.sections.len(), 10);
    let numbers: Vec<u32> = plan.sections.iter().map(|s| s.number).collect();
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
    let items: Vec<u32> = plan
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.number))
        .collect();
    assert_eq!(items, (1..=29).collect::<Vec<_>>());
    let per_section: Vec<usize> = plan.sections.iter().map(|s| s.items.len()).collect();
    assert_eq!(per_section, [3, 3, 3, 2, 2, 3, 3, 4, 3, 3]);

    let s = &plan.sections;
    assert_eq!(
        s[0].title,
        "坚持不懈推进习近平新时代中国特色社会主义思想学习宣传贯彻"
    );
    assert_eq!(
        s[1].title,
        "切实为全面打赢疫情防控的人民战争、总体战、阻击战提供坚强宣传舆论支撑"
    );
    assert_eq!(s[3].title, "加强行业生态环保工作的宣传报道");
    assert_eq!(
        s[5].title,
        "强化对贯彻落实新发展理念推动行业高质量发展的宣传"
    );
    assert_eq!(
        s[7].title,
        "做好依法治邮进一步提升行业治理体系和治理能力现代化水平的宣传报道"
    );
    assert_eq!(s[9].title, "加强行业精神文明建设工作宣传");

    let item = |n: u32| {
        plan.sections
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.number == n)
            .unwrap()
    };
    assert_eq!(item(1).title, "着眼为党和国家立心");
    assert_eq!(item(10).title, "围绕实现“9792”工程目标");
    assert_eq!(item(20).title, "加强行业法制建设方面的报道");
    assert_eq!(item(21).title, "宣传报道乡镇局所专项整治行动");
    assert_eq!(item(28).title, "办好第四届“寻找最美快递员”活动");
    // Wrapped across a page break and a blank line, spaces around numbers removed.
    assert!(
        item(8)
            .text
            .contains("结合纪念深圳经济特区成立40周年、上海浦东开发开放30周年")
    );
    assert!(item(18).text.contains("沿线国家和RCEP国家邮政领域"));
    assert!(item(9).text.ends_with(
        "关注报道行业在国家级贫困县打造的服务现代农业特色项目和企业加大从贫困地区招收员工力度情况。"
    ));
    // Item 28 spans two paragraphs; the next section's heading is not part of item 26.
    assert!(
        item(28)
            .text
            .ends_with("充分展现行业一线干部职工良好精神风貌。")
    );
    assert!(
        item(26)
            .text
            .ends_with("进一步加强对快递从业人员关心关爱。")
    );
    assert!(item(10).terms.contains(&"9792".to_string()));
    assert!(item(12).terms.contains(&"绿盾".to_string()));
    assert!(item(16).terms.contains(&"快递进村".to_string()));

    for s in &plan.sections {
        assert!(!s.title.contains(['\n', ' ']), "{}", s.title);
        for i in &s.items {
            for t in [&i.title, &i.text] {
                assert!(!t.contains('\n'), "line break in item {}: {t}", i.number);
                assert!(!t.contains("- "), "page marker in item {}: {t}", i.number);
                assert!(!t.starts_with(|c: char| c.is_ascii_digit()), "{t}");
            }
        }
    }

    let json = serde_json::to_string(&plan).unwrap();
    assert!(json.starts_with(
        r#"{"sections":[{"number":1,"title":"坚持不懈推进习近平新时代中国特色社会主义思想学习宣传贯彻","items":[{"number":1,"title":"着眼为党和国家立心","text":"着眼为党和国家立心，持续深入"#
    ));
    assert!(json.contains(r#""terms":["#));
}

#[test]
fn proposed_terms_and_generated_toml() {
    let Some(text) = plan_text() else { return };
    let mut plan = parse_plan(&text).unwrap();
    let dict = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/dict");
    let seg = Segmenter::load(Some(std::path::Path::new(dict))).unwrap();
    fill_terms(&mut plan, &seg);
    let items: Vec<_> = plan.sections.iter().flat_map(|s| &s.items).collect();
    let terms = |n: usize| &items[n - 1].terms;
    // Quoted names first, then key phrases; generic plan words never.
    assert_eq!(&terms(10)[..2], ["9792", "9792工程"]);
    assert_eq!(
        &terms(16)[..4],
        ["两进一出", "快递进村", "快递进厂", "快递出海"]
    );
    assert!(
        terms(26).contains(&"快递小哥权益".to_string()),
        "{:?}",
        terms(26)
    );
    assert!(terms(9).contains(&"脱贫攻坚".to_string()), "{:?}", terms(9));
    // Generic plan words never; nor phrases common to many items (found by a fresh-user
    // import: 政策, 国家邮政, 邮政快递业 were proposed).
    let generic = [
        "宣传",
        "做好",
        "加强",
        "工作",
        "推进",
        "行业",
        "政策",
        "国家邮政",
        "邮政快递业",
        "邮政管理部门",
        "社会",
        "保障",
        "掀起",
        "热潮",
        "充分调动",
        "积极支持",
    ];
    for item in &items {
        println!("item {}: {}", item.number, item.terms.join(" "));
        assert!(
            item.terms.len() >= 2,
            "item {}: {:?}",
            item.number,
            item.terms
        );
        for t in &item.terms {
            assert!(!generic.contains(&t.as_str()), "item {}: {t}", item.number);
        }
    }
    // Every key phrase (quoted names aside) is particular to few items of the plan, except
    // in an item that needed the relaxed limit to reach MIN_TERMS_PER_ITEM terms (item 3:
    // 习近平总书记; item 6: 疫情防控, the section's collocation; item 7: 小康社会).
    let bg = Background::from_plan(&plan);
    let mut relaxed = Vec::new();
    for item in &items {
        let quoted = yuqing_themes::quoted_terms(&item.text);
        for t in item.terms.iter().filter(|t| !quoted.contains(t)) {
            let df = bg.df(&yuqing_text::normalize(t));
            if df > 2 {
                assert_eq!(
                    item.terms.len(),
                    yuqing_themes::MIN_TERMS_PER_ITEM,
                    "item {}: {t} in {df} plan texts",
                    item.number
                );
                relaxed.push(t.as_str());
            }
        }
    }
    println!("relaxed: {relaxed:?}");
    assert!(relaxed.len() <= 3, "{relaxed:?}");
    assert!(relaxed.contains(&"习近平总书记"), "{relaxed:?}");
    // Against the plan background a word found in every item weighs less than a rare one.
    assert!(bg.idf("邮政") < bg.idf("快递小哥"));
    let own = propose_terms("推进“快递进村”，发展农村寄递物流", &seg, &bg);
    assert_eq!(own[0], "快递进村");

    let toml = plan_to_toml(&plan);
    assert!(toml.starts_with("# Yuqing plan themes"));
    let set = ThemeSet::from_toml_str(&toml, "generated.toml").unwrap();
    assert_eq!(set.themes().len(), 39);
    assert_eq!(set.theme("s4.i10").unwrap().name, "围绕实现“9792”工程目标");
    let m = set.match_article(
        "快递进村工程加快推进",
        "各地推进快递进村，快递进村覆盖率提升。",
    );
    let ids: Vec<&str> = m.iter().map(|m| m.theme.as_str()).collect();
    assert_eq!(ids, ["s6", "s6.i16"]);
}
