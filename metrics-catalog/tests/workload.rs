//! The demo workload against the whole catalog: every family moves, real sources stay real,
//! and the server's index lists the catalog.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use promdecl::Registry;
use promdecl_catalog::workload;
use promdecl_server::{router, AppState, Config};
use tower::ServiceExt;

#[tokio::test]
async fn index_lists_families_and_workload_drives_every_catalog_family() {
    let registry = Arc::new(Registry::new());
    promdecl_catalog::register_all(&registry).unwrap();
    workload::step(&registry, 1, &|_| true);
    let mut empty = Vec::new();
    registry.visit(&mut |f| {
        let mut any = false;
        f.for_each_sample(&mut |_, s| any |= s.value() != 0.0);
        if !any {
            empty.push(f.desc().name);
        }
    });
    assert!(
        empty.is_empty(),
        "families the workload did not drive: {empty:?}"
    );
    let resp = router(AppState::new(registry, Config::default()))
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let page = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("<code>chorus_dht_put_operations_total</code>"));
}

#[test]
fn the_workload_leaves_unselected_families_to_their_real_sources() {
    let registry = Registry::new();
    promdecl_catalog::register_all(&registry).unwrap();
    let process = registry
        .register(promdecl_server::collectors::ProcessMetrics::new())
        .unwrap();
    process.resident_memory_bytes().set(123.0);
    for tick in 0..5 {
        workload::step(&registry, tick, &|f| f.name.starts_with("chorus_"));
    }
    assert_eq!(process.resident_memory_bytes().get(), 123.0);
    let text = registry.encode(promdecl::Format::Text);
    assert!(
        !text.contains("chorus_dht_put_operations_total{status=\"success\"} 0\n")
            || !text.contains("chorus_dht_put_operations_total{status=\"failure\"} 0\n")
    );
}
