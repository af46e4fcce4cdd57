use serde::{Deserialize, Serialize};

/// Media tier of a source (媒体层级), used for facets and the share of coverage per tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// 央媒: central (national) media such as 人民网, 新华网, 央视网.
    Central,
    /// 省级: provincial media.
    Provincial,
    /// 行业: industry media and regulators (国家邮政局, 中国邮政快递报).
    Industry,
    /// 商业: commercial portals and news apps.
    Commercial,
    /// 自媒体: self-media (WeChat accounts, blogs, Weibo).
    SelfMedia,
}

impl Tier {
    /// Every tier, in display order.
    pub const ALL: [Tier; 5] = [
        Tier::Central,
        Tier::Provincial,
        Tier::Industry,
        Tier::Commercial,
        Tier::SelfMedia,
    ];

    /// The config / index spelling: `central`, `provincial`, `industry`, `commercial`, `self-media`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Central => "central",
            Tier::Provincial => "provincial",
            Tier::Industry => "industry",
            Tier::Commercial => "commercial",
            Tier::SelfMedia => "self-media",
        }
    }

    /// The Chinese label analysts read: 央媒, 省级, 行业, 商业, 自媒体.
    pub fn label_zh(self) -> &'static str {
        match self {
            Tier::Central => "央媒",
            Tier::Provincial => "省级",
            Tier::Industry => "行业",
            Tier::Commercial => "商业",
            Tier::SelfMedia => "自媒体",
        }
    }

    /// Parses the config spelling (see [`Tier::as_str`]); `None` for anything else.
    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// How a source is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// An RSS 0.9x/1/2, Atom or JSON Feed document.
    Feed,
    /// An HTML list page whose article links are found with `link_selector`.
    Listing,
    /// A single article page.
    Page,
}

impl SourceKind {
    /// The config spelling: `feed`, `listing`, `page`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Listing => "listing",
            SourceKind::Page => "page",
        }
    }
}

/// One validated `[[source]]` of `sources.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceSpec {
    /// Stable id, `[a-z0-9_-]+`, unique across the file; stored with every article.
    pub id: String,
    /// Display name, e.g. `国家邮政局`.
    pub name: String,
    /// How the URL is read.
    pub kind: SourceKind,
    /// Absolute http(s) URL of the feed, listing page or page.
    pub url: String,
    /// Media tier.
    pub tier: Tier,
    /// Minimum seconds between two crawls of this source (`yuqing serve`); `None` = every pass.
    pub interval_secs: Option<u64>,
    /// CSS selector of article links on a listing page (required for `listing`, e.g. `ul.list a`).
    pub link_selector: Option<String>,
}
