//! The trainable model on sentences written for this test (train, predict, evidence, save and
//! load), the CSV reader and label maps, and metrics arithmetic.

use yuqing_model::SentimentLabel::{self, Negative, Neutral, Positive};
use yuqing_sentiment::{
    Example, LabelMap, Lexicon, Metrics, Model, SentimentError, TrainedModel, cross_validate,
    evaluate, read_csv, train,
};
use yuqing_text::Segmenter;

fn ex(title: &str, body: &str, label: SentimentLabel) -> Example {
    Example {
        title: title.into(),
        body: body.into(),
        label,
    }
}

/// A small written training set: three kinds of postal news, several wordings each.
fn corpus() -> Vec<Example> {
    let pos = [
        "快递小哥拾金不昧",
        "邮政网点便民服务获群众点赞",
        "快递进村成效显著",
        "快递员荣获劳动模范称号",
        "邮政助力乡村振兴",
        "寄递服务满意度创新高",
    ];
    let neu = [
        "快递公司发布年度报告",
        "邮政局召开工作会议",
        "快递网点调整营业时间",
        "物流园区举行开放日",
        "邮政发行新邮票",
        "快递企业公布价格",
    ];
    let neg = [
        "快递网点爆仓大量包裹延误",
        "快递员遭暴力分拣视频曝光",
        "快递公司拖欠工资老板跑路",
        "用户信息泄露遭诈骗",
        "快件丢失客户投诉无门",
        "快递车辆发生事故致人受伤",
    ];
    let mut v = Vec::new();
    for (set, l) in [(pos, Positive), (neu, Neutral), (neg, Negative)] {
        for t in set {
            v.push(ex(t, "", l));
            v.push(ex("", t, l));
        }
    }
    v
}

#[test]
fn train_predict_evidence_save_load() {
    let seg = Segmenter::load(None).unwrap();
    let lex = Lexicon::builtin();
    let data = corpus();
    let model = train(&data, &seg, &lex);
    assert!(model.feature_count() > 100);
    let m = evaluate(&Model::Trained(model.clone()), &data);
    assert!(m.accuracy >= 0.9, "training accuracy {m}");

    let s = model.analyze("某快递网点爆仓", "大量包裹延误");
    assert_eq!(s.label, Negative, "{s:?}");
    assert!(s.score < 0.0);
    assert!(!s.evidence.is_empty());
    // Evidence is text of the article, strongest first.
    for e in &s.evidence {
        assert!("某快递网点爆仓大量包裹延误".contains(&e.text), "{e:?}");
    }
    let mags: Vec<f32> = s.evidence.iter().map(|e| e.weight.abs()).collect();
    assert!(mags.windows(2).all(|w| w[0] >= w[1]));
    assert!(s.evidence.iter().take(5).any(|e| e.weight < 0.0));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentiment-model.json");
    model.save(&path).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["version"], yuqing_sentiment::MODEL_VERSION);
    let back = TrainedModel::load(&path, &seg, &lex).unwrap();
    for e in &data {
        let (a, b) = (
            model.analyze(&e.title, &e.body),
            back.analyze(&e.title, &e.body),
        );
        assert_eq!(a.label, b.label);
        assert!((a.score - b.score).abs() < 1e-4, "{a:?} {b:?}");
    }

    // Wrong version and garbage name the file.
    std::fs::write(&path, r#"{"kind":"yuqing-sentiment-logreg","version":999,"params":{"epochs":1,"learning_rate":0.1,"l2":0.0,"seed":1,"lexicon_scale":1.0,"nb_weight":0.0,"nb_alpha":0.1},"classes":[],"bias":[0,0,0],"features":[]}"#).unwrap();
    let err = TrainedModel::load(&path, &seg, &lex).unwrap_err();
    assert!(matches!(err, SentimentError::ModelVersion { .. }), "{err}");
    std::fs::write(&path, "not json").unwrap();
    let err = TrainedModel::load(&path, &seg, &lex)
        .unwrap_err()
        .to_string();
    assert!(err.contains("sentiment-model.json"), "{err}");
}

#[test]
fn cross_validation_is_deterministic() {
    let seg = Segmenter::load(None).unwrap();
    let lex = Lexicon::builtin();
    let data = corpus();
    let a = cross_validate(&data, 3, &seg, &lex);
    let b = cross_validate(&data, 3, &seg, &lex);
    assert_eq!(a, b);
    assert_eq!(a.confusion.iter().flatten().sum::<usize>(), data.len());
    assert!(a.macro_f1 > 0.5, "{a}");
}

#[test]
fn csv_columns_quotes_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("labels.csv");
    std::fs::write(
        &p,
        "\u{feff}id,title,content,label\n1,快递爆仓,\"包裹延误，\"\"很多\"\"\n第二行\",负面\n2,邮政点赞,服务好,positive\n\n",
    )
    .unwrap();
    let v = read_csv(&p, &[], "label", &LabelMap::default()).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].title, "快递爆仓");
    assert_eq!(v[0].body, "包裹延误，\"很多\"\n第二行");
    assert_eq!((v[0].label, v[1].label), (Negative, Positive));

    let v = read_csv(&p, &["content".into()], "label", &LabelMap::default()).unwrap();
    assert_eq!((v[1].title.as_str(), v[1].body.as_str()), ("", "服务好"));

    std::fs::write(&p, "text,label\n好,0\n坏,2\n坏,7\n").unwrap();
    let map = LabelMap::parse("0=positive, 1=中性 ,2=negative").unwrap();
    let err = read_csv(&p, &[], "label", &map).unwrap_err().to_string();
    assert!(
        err.contains("labels.csv") && err.contains("line 4") && err.contains("\"label\""),
        "{err}"
    );

    let err = read_csv(&p, &[], "sentiment", &map)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sentiment") && err.contains("labels.csv"),
        "{err}"
    );
    assert!(LabelMap::parse("0=good").is_err());
    assert!(LabelMap::parse("0positive").is_err());
    assert_eq!(map.get("1"), Some(Neutral));
    assert_eq!(map.get("负面"), Some(Negative));

    std::fs::write(&p, "text,label\n\"unterminated,0\n").unwrap();
    let err = read_csv(&p, &[], "label", &map).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn metrics_arithmetic_and_display() {
    use SentimentLabel::*;
    let pairs = [
        (Positive, Positive),
        (Positive, Neutral),
        (Neutral, Neutral),
        (Negative, Negative),
        (Negative, Negative),
        (Negative, Positive),
    ];
    let m = Metrics::from_pairs(pairs);
    assert_eq!(m.confusion, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
    let p = m.class(Positive);
    assert!((p.precision - 0.5).abs() < 1e-9 && (p.recall - 0.5).abs() < 1e-9);
    let n = m.class(Negative);
    assert!((n.precision - 1.0).abs() < 1e-9 && (n.recall - 2.0 / 3.0).abs() < 1e-9);
    assert!((m.accuracy - 4.0 / 6.0).abs() < 1e-9);
    let f1_neu = 2.0 * 0.5 * 1.0 / 1.5;
    let want = (0.5 + f1_neu + 0.8) / 3.0;
    assert!((m.macro_f1 - want).abs() < 1e-9, "{} {want}", m.macro_f1);
    let text = m.to_string();
    assert_eq!(
        text.lines().last().unwrap(),
        format!("macro_f1={:.3} accuracy={:.3}", want, 4.0 / 6.0)
    );
    assert!(text.contains("negative") && text.contains("confusion"));
}
