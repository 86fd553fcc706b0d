//! What the generators read: the families of a project, grouped the way its authors choose.
//!
//! A [`Project`] has [`Group`]s (one Markdown page, rule file and dashboard each); a group has
//! [`Section`]s (one struct, or any set of families: a dashboard row, a Markdown section) and the
//! [`RuleGroup`]s that watch it.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use promdecl::{FamilyDesc, Metrics, Registry};

use crate::layout::File;
use crate::rules::RuleGroup;

/// Everything generated for one service or catalog.
#[derive(Debug, Clone)]
pub struct Project {
    /// Title of the index page.
    pub title: String,
    /// Prometheus job name of the scrape config; dashboards and rules may select it.
    pub job: String,
    /// Scrape targets (`host:port`) of the scrape config.
    pub targets: Vec<String>,
    /// Path of the exposition on the targets.
    pub metrics_path: String,
    /// How often Prometheus scrapes (`global.scrape_interval`); its default (1m) when `None`.
    pub scrape_interval: Option<String>,
    /// How often Prometheus evaluates rules (`global.evaluation_interval`); its default when
    /// `None`. A rule group's own interval overrides it.
    pub evaluation_interval: Option<String>,
    /// The groups, in order.
    pub groups: Vec<Group>,
    /// Further files generated as given: artefacts a project derives from its declarations in
    /// its own way (a document's query collection, a hand-laid dashboard), written, checked
    /// for freshness and owned like the rest.
    pub extra_files: Vec<File>,
}

impl Project {
    /// A project scraped as `job` at `/metrics`, with no targets and no groups yet.
    pub fn new(title: impl Into<String>, job: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            job: job.into(),
            targets: Vec::new(),
            metrics_path: "/metrics".into(),
            scrape_interval: None,
            evaluation_interval: None,
            groups: Vec::new(),
            extra_files: Vec::new(),
        }
    }

    /// Adds a file generated as given ([`Project::extra_files`]).
    pub fn file(mut self, file: File) -> Self {
        self.extra_files.push(file);
        self
    }

    /// Sets the global scrape interval of the scrape config (`15s`).
    pub fn scrape_interval(mut self, interval: impl Into<String>) -> Self {
        self.scrape_interval = Some(interval.into());
        self
    }

    /// Sets the global rule evaluation interval of the scrape config (`30s`).
    pub fn evaluation_interval(mut self, interval: impl Into<String>) -> Self {
        self.evaluation_interval = Some(interval.into());
        self
    }

    /// Adds a scrape target.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.targets.push(target.into());
        self
    }

    /// Adds a group.
    pub fn group(mut self, group: Group) -> Self {
        self.groups.push(group);
        self
    }

    /// Every family of every group, in order.
    pub fn families(&self) -> impl Iterator<Item = &'static FamilyDesc> + '_ {
        self.groups.iter().flat_map(Group::families)
    }
}

/// A set of families documented, alerted on and charted together.
#[derive(Debug, Clone)]
pub struct Group {
    /// File-name stem: `docs/metrics/<name>.md`, `<name>.rules.yml`, `<name>.json`.
    pub name: String,
    /// Human title.
    pub title: String,
    /// Paragraphs shown under the title (where the declarations come from, conventions).
    pub intro: Option<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Alerting and recording rules that watch these families.
    pub rules: Vec<RuleGroup>,
}

impl Group {
    /// An empty group.
    pub fn new(name: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            title: title.into(),
            intro: None,
            sections: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Sets the intro text.
    pub fn intro(mut self, text: impl Into<String>) -> Self {
        self.intro = Some(text.into());
        self
    }

    /// Adds a section.
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }

    /// Adds a section holding the families of the struct `M`, titled `title`.
    pub fn metrics<M: Metrics>(self, title: impl Into<String>) -> Self {
        self.section(Section::of::<M>(title))
    }

    /// Adds a rule group.
    pub fn rules(mut self, rules: RuleGroup) -> Self {
        self.rules.push(rules);
        self
    }

    /// Every family of every section, in order.
    pub fn families(&self) -> impl Iterator<Item = &'static FamilyDesc> + '_ {
        self.sections
            .iter()
            .flat_map(|s| s.families.iter().copied())
    }
}

/// Families shown together: usually the families of one struct.
#[derive(Debug, Clone)]
pub struct Section {
    /// Section heading and dashboard row title.
    pub title: String,
    /// The families, in order.
    pub families: Vec<&'static FamilyDesc>,
}

impl Section {
    /// The families of the struct `M`, in declaration order.
    pub fn of<M: Metrics>(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            families: M::FAMILIES.iter().collect(),
        }
    }

    /// Every family registered in `registry` now, as exposed (under its prefix), in
    /// registration order: declared structs, families defined at run time and collectors alike.
    ///
    /// A family exposed under a prefix is documented under the prefixed name: its descriptor
    /// is copied once per distinct prefixed name for the life of the process.
    ///
    /// ```
    /// use promdecl::{Counter, FamilyDesc, Kind, Registry};
    /// use promdecl_gen::Section;
    ///
    /// let registry = Registry::builder().prefix("shop").build()?;
    /// let desc = FamilyDesc::builder("jobs_total", Kind::Counter, "Jobs run").label("queue").build()?;
    /// let _jobs: std::sync::Arc<Counter> = registry.register_family(desc)?;
    /// let section = Section::registered("Jobs", &registry);
    /// assert_eq!(section.families[0].name, "shop_jobs_total");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn registered(title: impl Into<String>, registry: &Registry) -> Self {
        let mut families = Vec::new();
        registry
            .visit_prefixed(&mut |prefix, family| families.push(exposed(prefix, family.desc())));
        Self {
            title: title.into(),
            families,
        }
    }
}

/// `desc` under the name it is exposed with: itself without a prefix, else a copy made once.
fn exposed(prefix: &str, desc: &'static FamilyDesc) -> &'static FamilyDesc {
    if prefix.is_empty() {
        return desc;
    }
    static COPIES: OnceLock<Mutex<HashMap<(String, usize), &'static FamilyDesc>>> = OnceLock::new();
    let copies = COPIES.get_or_init(Default::default);
    let mut copies = copies.lock().unwrap_or_else(|e| e.into_inner());
    let key = (prefix.to_string(), desc as *const FamilyDesc as usize);
    copies.entry(key).or_insert_with(|| {
        let name: &'static str = Box::leak(format!("{prefix}{}", desc.name).into_boxed_str());
        Box::leak(Box::new(FamilyDesc { name, ..*desc }))
    })
}
