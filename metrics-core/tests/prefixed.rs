//! Registering a struct under a prefix the application chooses.

use promdecl::{Counter, Format, Metrics, Registry, RegistryError};

/// A library's metrics, declared with a fixed prefix of their own.
#[derive(Metrics)]
#[metrics(prefix = "cache")]
struct Cache {
    /// Cache hits by key
    #[metric(counter, labels = [key], max_series = 1)]
    hits_total: Counter,
}

#[test]
fn the_group_prefix_goes_after_the_registry_prefix() {
    let registry = Registry::builder().prefix("app").build().unwrap();
    let cache = registry.register_prefixed("shop", Cache::new()).unwrap();
    cache.hits_total("a").inc();
    let text = registry.encode(Format::Text);
    assert!(
        text.contains("# TYPE app_shop_cache_hits_total counter\n"),
        "{text}"
    );
    assert!(
        text.contains("app_shop_cache_hits_total{key=\"a\"} 1\n"),
        "{text}"
    );
}

#[test]
fn the_same_struct_under_two_prefixes_is_two_families_and_under_one_a_duplicate() {
    let registry = Registry::new();
    registry.register_prefixed("eu", Cache::new()).unwrap();
    registry.register_prefixed("us", Cache::new()).unwrap();
    registry.register(Cache::new()).unwrap();
    let err = registry
        .register_prefixed("eu", Cache::new())
        .err()
        .unwrap();
    assert!(matches!(&err, RegistryError::Duplicate { name, .. } if name == "eu_cache_hits_total"));
    assert!(err.to_string().contains("`eu_cache_hits_total`"), "{err}");
}

#[test]
fn an_invalid_prefix_is_an_error_naming_it() {
    let err = Registry::new()
        .register_prefixed("9lives", Cache::new())
        .err()
        .unwrap();
    assert!(matches!(err, RegistryError::Invalid(_)));
    assert!(err.to_string().contains("`9lives`"), "{err}");
}

#[test]
fn overflow_is_counted_under_the_name_as_registered() {
    let registry = Registry::builder().prefix("app").build().unwrap();
    let cache = registry.register_prefixed("shop", Cache::new()).unwrap();
    cache.hits_total("a").inc();
    cache.hits_total("b").inc();
    cache.hits_total("c").inc();
    let text = registry.encode(Format::Text);
    assert!(
        text.contains("app_metrics_series_overflow_total{family=\"shop_cache_hits_total\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains("app_shop_cache_hits_total{key=\"__overflow__\"} 2\n"),
        "{text}"
    );
}
