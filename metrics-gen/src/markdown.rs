//! The Markdown reference: an index of the groups ([`index`]) and one page per group ([`page`])
//! with every family's type, unit, labels and values, buckets, series budget, HELP and note, an
//! example query, the rules that read it, and the group's rules (corrections shown beside the
//! source's original).

use std::collections::HashMap;
use std::fmt::Write as _;

use promdecl::{FamilyDesc, LabelDesc, OVERFLOW_FAMILY, OVERFLOW_VALUE};

use crate::layout;
use crate::model::{Group, Project};
use crate::promql::{example_query, families_read};
use crate::rules::{Rule, RuleGroup};

/// `docs/metrics/README.md`: the project title and one row per group (families, rules, links to
/// its page, rule file and dashboard).
pub fn index(project: &Project) -> String {
    let mut out = format!(
        "# {}\n\n<!-- {} -->\n\n\
         | group | families | rules | reference | rule file | dashboard |\n|---|---|---|---|---|---|\n",
        project.title,
        layout::GENERATED
    );
    for g in &project.groups {
        let page = layout::reference(&g.name);
        let rules = rule_count(g);
        let rule_file = if rules == 0 {
            String::from("none")
        } else {
            link_to(layout::REFERENCE_INDEX, &layout::rule_file(&g.name))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {rules} | {} | {rule_file} | {} |",
            cell(&g.title),
            g.families().count(),
            link_to(layout::REFERENCE_INDEX, &page),
            link_to(layout::REFERENCE_INDEX, &layout::dashboard(&g.name)),
        );
    }
    let mut jobs: Vec<String> = Vec::new();
    for g in &project.groups {
        let job = format!("`{}`", project.job_of(g));
        if !jobs.contains(&job) {
            jobs.push(job);
        }
    }
    if jobs.is_empty() {
        jobs.push(format!("`{}`", project.job));
    }
    let _ = writeln!(
        out,
        "\nPrometheus scrapes them as {} {} at `{}`; configuration: {}.",
        if jobs.len() == 1 { "job" } else { "jobs" },
        jobs.join(", "),
        project.metrics_path,
        link_to(layout::REFERENCE_INDEX, layout::SCRAPE_CONFIG)
    );
    out
}

/// `docs/metrics/<group>.md`: the reference page of `group`, which belongs to `project` (rules
/// of other groups that read its families are linked too).
pub fn page(project: &Project, group: &Group) -> String {
    let path = layout::reference(&group.name);
    let links = Links::new(project);
    let mut out = format!("# {}\n\n<!-- {} -->\n\n", group.title, layout::GENERATED);
    if let Some(intro) = &group.intro {
        let _ = writeln!(out, "{}\n", intro.trim());
    }
    let rules = rule_count(group);
    let _ = write!(
        out,
        "{} in {}; {} in {}.",
        plural(group.families().count(), "family", "families"),
        plural(group.sections.len(), "section", "sections"),
        plural(rules, "rule", "rules"),
        plural(group.rules.len(), "rule group", "rule groups"),
    );
    if rules > 0 {
        let file = layout::rule_file(&group.name);
        let _ = write!(out, " Rule file: {}.", link_to(&path, &file));
    }
    out.push_str("\n\n");
    for s in &group.sections {
        let n = plural(s.families.len(), "family", "families");
        let _ = writeln!(out, "- [{}](#{}): {n}", s.title, anchor(&s.title));
    }
    if rules > 0 {
        out.push_str("- [Rules](#rules)\n");
    }
    for s in &group.sections {
        let _ = write!(
            out,
            "\n## {}\n\n| family | type | unit | labels | description |\n|---|---|---|---|---|\n",
            s.title
        );
        for f in &s.families {
            let labels: Vec<String> = f.labels.iter().map(|l| format!("`{}`", l.name)).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                links.family(f, &path),
                f.kind.as_str(),
                f.unit.unwrap_or(""),
                labels.join(", "),
                cell(f.help)
            );
        }
        for f in &s.families {
            family(&mut out, f, &links.rules_reading(f, &path));
        }
    }
    if rules > 0 {
        rules_section(&mut out, &path, group, &links);
    }
    out
}

fn family(out: &mut String, f: &FamilyDesc, rules: &[String]) {
    let _ = write!(out, "\n### {}\n\n{}\n\n", code(f.name), f.help.trim());
    let _ = write!(out, "- **Type:** {}", f.kind.as_str());
    if f.kind.text_type() != f.kind.as_str() {
        let _ = write!(
            out,
            " (`{}` in the Prometheus text format 0.0.4)",
            f.kind.text_type()
        );
    }
    out.push('\n');
    if let Some(u) = f.unit {
        let _ = writeln!(out, "- **Unit:** {u}");
    }
    let labels: String = f.labels.iter().map(label_item).collect();
    match labels.is_empty() {
        true => out.push_str("- **Labels:** none\n"),
        false => {
            let _ = write!(out, "- **Labels:**\n{labels}");
        }
    }
    if f.free_form_count() > 0 {
        let _ = writeln!(
            out,
            "- **Series budget:** {} distinct combinations of free-form label values; past it, updates fold \
             into one `{OVERFLOW_VALUE}` series, counted in `{}`",
            f.series_budget(),
            OVERFLOW_FAMILY.name
        );
    }
    if let Some(b) = f.buckets.filter(|b| !b.is_empty()) {
        let b: Vec<String> = b.iter().map(f64::to_string).collect();
        let _ = writeln!(out, "- **Buckets:** {}, +Inf", b.join(", "));
    }
    if let Some(n) = f.native {
        let _ = writeln!(
            out,
            "- **Native buckets:** schema {} (each bucket {:.3}× the one below), zero bucket up to \
             {:e}, at most {} buckets (coarser past that)",
            n.schema,
            2f64.powf(2f64.powi(-i32::from(n.schema))),
            n.zero_threshold,
            n.max_buckets
        );
    }
    if let Some(spec) = f.summary {
        let q: Vec<String> = spec.quantiles.iter().map(f64::to_string).collect();
        let _ = writeln!(
            out,
            "- **Quantiles:** {} over the last {} s (in {} age buckets), each within {} % of the \
             observation at its rank",
            q.join(", "),
            spec.max_age.as_secs(),
            spec.age_buckets,
            promdecl::SummarySpec::RELATIVE_ACCURACY * 100.0
        );
    }
    if let Some(n) = f.note {
        let _ = writeln!(out, "- **Note:** {}", n.trim());
    }
    let _ = writeln!(out, "- **Example query:** `{}`", example_query(f));
    if !rules.is_empty() {
        let _ = writeln!(out, "- **Rules:** {}", rules.join(", "));
    }
}

/// A label as a nested list item: its name and its values or `free-form`.
fn label_item(l: &LabelDesc) -> String {
    let values = l.values.map_or_else(
        || "free-form".to_string(),
        |v| format!("one of `{}`", v.join("`, `")),
    );
    format!("  - `{}`: {values}\n", l.name)
}

fn rules_section(out: &mut String, path: &str, group: &Group, links: &Links) {
    out.push_str("\n## Rules\n");
    let anchors = rule_anchors(group);
    for (rg, anchors) in group.rules.iter().zip(&anchors) {
        let _ = write!(out, "\n### Group `{}`\n\n", rg.name);
        match &rg.interval {
            Some(i) => {
                let _ = writeln!(out, "Evaluated every {i}.");
            }
            None => out.push_str("Evaluated at the global interval.\n"),
        }
        for (rule, _) in rg.rules.iter().zip(anchors) {
            let _ = write!(out, "\n#### {}\n\n", rule_heading(rule));
            let _ = writeln!(out, "```promql\n{}\n```\n", rule.expr().trim());
            match rule {
                Rule::Alert(a) => {
                    if let Some(f) = &a.for_ {
                        let _ = writeln!(out, "- **For:** {f}");
                    }
                    pairs(out, "Labels", &a.labels);
                    pairs(out, "Annotations", &a.annotations);
                }
                Rule::Record(r) => pairs(out, "Labels", &r.labels),
            }
            let read: Vec<String> = links
                .read_by(rule)
                .iter()
                .map(|f| links.family(f, path))
                .collect();
            if !read.is_empty() {
                let _ = writeln!(out, "- **Reads:** {}", read.join(", "));
            }
            if let Rule::Alert(a) = rule {
                match &a.correction {
                    Some(c) if c.original.trim() == a.expr.trim() => {
                        let _ = write!(
                            out,
                            "\n**Changed from the source** (expression unchanged): {}\n",
                            c.why.trim()
                        );
                    }
                    Some(c) => {
                        let _ = write!(
                            out,
                            "\n| corrected (above) | the source's original |\n|---|---|\n| {} | {} |\n\n**Why:** {}\n",
                            code(&cell(&a.expr)),
                            code(&cell(&c.original)),
                            c.why.trim()
                        );
                    }
                    None => {}
                }
            }
        }
    }
}

fn pairs(out: &mut String, title: &str, kv: &[(String, String)]) {
    if kv.is_empty() {
        return;
    }
    let _ = writeln!(out, "- **{title}:**");
    for (k, v) in kv {
        let _ = writeln!(out, "  - `{k}`: {}", v.trim());
    }
}

/// Where each family and rule of the project is documented, and what each rule reads.
struct Links<'p> {
    /// Page of each family, by name.
    pages: HashMap<&'static str, String>,
    /// Per rule: its page, its anchor and the families it reads.
    rules: Vec<(&'p Rule, String, String, Vec<&'static FamilyDesc>)>,
}

impl<'p> Links<'p> {
    fn new(project: &'p Project) -> Self {
        let mut pages = HashMap::new();
        let mut rules = Vec::new();
        for g in &project.groups {
            let page = layout::reference(&g.name);
            pages.extend(g.families().map(|f| (f.name, page.clone())));
            for (rg, anchors) in g.rules.iter().zip(rule_anchors(g)) {
                for (rule, anchor) in rg.rules.iter().zip(anchors) {
                    let read = families_read(project, rule.expr());
                    rules.push((rule, page.clone(), anchor, read));
                }
            }
        }
        Self { pages, rules }
    }

    /// A link from page `from` to `#anchor` on page `page`.
    fn target(from: &str, page: &str, anchor: &str) -> String {
        if page == from {
            format!("#{anchor}")
        } else {
            format!("{}#{anchor}", layout::relative(from, page))
        }
    }

    /// A link from page `from` to family `f`.
    fn family(&self, f: &FamilyDesc, from: &str) -> String {
        let page = self.pages.get(f.name).map_or(from, String::as_str);
        let target = Self::target(from, page, &anchor(&code(f.name)));
        format!("[{}]({target})", code(f.name))
    }

    /// The families `rule` reads.
    fn read_by(&self, rule: &Rule) -> &[&'static FamilyDesc] {
        self.rules
            .iter()
            .find(|(r, ..)| std::ptr::eq(*r, rule))
            .map_or(&[], |(.., read)| read.as_slice())
    }

    /// Links from page `from` to every rule that reads family `f`.
    fn rules_reading(&self, f: &FamilyDesc, from: &str) -> Vec<String> {
        let reading = self
            .rules
            .iter()
            .filter(|(.., read)| read.iter().any(|r| r.name == f.name));
        reading
            .map(|(rule, page, anchor, _)| {
                let kind = match rule {
                    Rule::Alert(_) => "alert",
                    Rule::Record(_) => "record",
                };
                let target = Self::target(from, page, anchor);
                format!("[{}]({target}) ({kind})", code(rule.name()))
            })
            .collect()
    }
}

fn rule_heading(rule: &Rule) -> String {
    match rule {
        Rule::Alert(a) => format!("Alert {}", code(&a.alert)),
        Rule::Record(r) => format!("Record {}", code(&r.record)),
    }
}

/// The anchors of a group's rule headings, per rule group, numbered as GitHub numbers repeats.
fn rule_anchors(group: &Group) -> Vec<Vec<String>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unique = |a: String| {
        let n = seen.entry(a.clone()).or_default();
        *n += 1;
        match *n {
            1 => a,
            n => format!("{a}-{}", n - 1),
        }
    };
    group
        .rules
        .iter()
        .map(|rg: &RuleGroup| {
            rg.rules
                .iter()
                .map(|r| unique(anchor(&rule_heading(r))))
                .collect()
        })
        .collect()
}

fn rule_count(g: &Group) -> usize {
    g.rules.iter().map(|r| r.rules.len()).sum()
}

/// The anchor GitHub gives a heading: lowercase, spaces to `-`, punctuation other than `-` and
/// `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// `s` as an inline code span (delimited by two backticks when it holds one).
fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// Text safe in a table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn link_to(from: &str, to: &str) -> String {
    let rel = layout::relative(from, to);
    let name = to.rsplit('/').next().unwrap_or(to);
    format!("[{name}]({rel})")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_github() {
        assert_eq!(anchor("`shop_orders_total`"), "shop_orders_total");
        assert_eq!(
            anchor("Record `shop:orders:rate5m`"),
            "record-shopordersrate5m"
        );
        assert_eq!(anchor("Alert `CheckoutErrors`"), "alert-checkouterrors");
        assert_eq!(anchor("Orders and payments"), "orders-and-payments");
    }

    #[test]
    fn index_links_dashboards_and_a_rename_shows_no_expression_table() {
        use crate::rules::Alert;
        let expr = "up == 0";
        let renamed = Alert::new("ShopDown")
            .expr(expr)
            .corrects(expr, "Renamed from `Down`, which another group uses.");
        let changed = Alert::new("ShopSlow")
            .expr("x > 2")
            .corrects("x > 1", "Too noisy.");
        let group =
            Group::new("shop", "Shop").rules(RuleGroup::new("shop").alert(renamed).alert(changed));
        let project = Project::new("Shop", "shop").group(group);
        assert!(index(&project).contains("| [shop.json](../dashboards/shop.json) |"));
        let md = page(&project, &project.groups[0]);
        assert!(md.contains(
            "\n**Changed from the source** (expression unchanged): Renamed from `Down`, which another group uses.\n"
        ));
        assert_eq!(
            md.matches("| corrected (above) | the source's original |")
                .count(),
            1
        );
        assert!(md.contains("| `x > 2` | `x > 1` |\n\n**Why:** Too noisy.\n"));
    }

    #[test]
    fn cells_are_one_line() {
        assert_eq!(cell("a |\n b"), "a \\| b");
        assert_eq!(plural(1, "family", "families"), "1 family");
        assert_eq!(plural(2, "family", "families"), "2 families");
    }
}
