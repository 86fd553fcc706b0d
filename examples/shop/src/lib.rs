//! An example service that uses everything: its own metrics ([`orders`], [`inventory`]) with
//! the rules that watch them declared beside them, the server's request and readiness metrics
//! under its prefix ([`service`]), and a [`project`] from which `src/bin/gen.rs` generates the
//! reference, rule files and their tests, dashboards and scrape config under `docs/`.
//!
//! Routes (besides `/metrics`, `/health`, `/ready` and `/`):
//!
//! - `POST /checkout/{warehouse}/{payment}` with a body holding the number of items (1 when
//!   empty): reserves stock and takes payment. Payment `declined` is rejected (402), payment
//!   `error` fails (502), too little stock is rejected (409); otherwise 201.
//! - `PUT /inventory/{warehouse}`: a stock feed, one `<sku> <count>` line per item; the
//!   warehouse's stock becomes the sum of the counts.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::Router;
use promdecl::{Registry, RegistryError};
use promdecl_gen::{Group, Project};
use promdecl_server::{router, AppState, Check, Config, HttpMetrics, ReadinessMetrics};

pub mod inventory;
pub mod orders;
pub mod service;

use inventory::{Inventory, Reservation, Warehouse};
use orders::{Orders, Outcome};

/// The prefix the server's metrics are registered under: `shop_http_server_requests_total`, ...
pub const PREFIX: &str = "shop";

/// Where the service listens when `LISTEN` is not set; also the scrape config's target.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// Items each warehouse holds at start, before any feed.
pub const INITIAL_STOCK: i64 = 100;

/// Everything the generators read: three groups, each one reference page, rule file, rule test
/// file and dashboard; the orders group has an SLO too (its rule file, tests and dashboard).
pub fn project() -> Project {
    let orders = Group::new("shop-orders", "Orders")
        .intro("Declared in `examples/shop/src/orders.rs`, with the rules below.")
        .metrics::<Orders>("Checkout")
        .rules(orders::rules())
        .slo(orders::slo().expect("the checkout SLO reads declared families"));
    let inventory = Group::new("shop-inventory", "Inventory")
        .intro("Declared in `examples/shop/src/inventory.rs`, with the rules below.")
        .metrics::<Inventory>("Stock")
        .rules(inventory::rules());
    let service = Group::new("shop-service", "Service")
        .intro(
            "Declared by `promdecl-server` and `promdecl` and registered under the prefix `shop` \
             (`examples/shop/src/service.rs`).",
        )
        .section(service::http())
        .section(service::readiness())
        .section(service::series_budgets())
        .rules(service::rules());
    Project::new("Shop metrics", "shop")
        .target(DEFAULT_LISTEN)
        .group(orders)
        .group(inventory)
        .group(service)
}

/// What the handlers share.
#[derive(Debug)]
struct Shop {
    orders: Arc<Orders>,
    inventory: Arc<Inventory>,
    /// Items in stock, per warehouse in [`Warehouse::ALL`] order.
    stock: [AtomicI64; 2],
}

impl Shop {
    fn stock(&self, w: Warehouse) -> &AtomicI64 {
        &self.stock[w as usize]
    }

    /// Sets the stock of `w` and its gauge.
    fn set_stock(&self, w: Warehouse, items: i64) {
        self.stock(w).store(items, Ordering::Relaxed);
        self.inventory.items(w).set(items as f64);
    }

    /// Takes `items` from the stock of `w`, if it holds that many.
    fn reserve(&self, w: Warehouse, items: i64) -> bool {
        let taken = self
            .stock(w)
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n >= items).then_some(n - items)
            });
        let result = match taken {
            Ok(before) => {
                self.inventory.items(w).set((before - items) as f64);
                Reservation::Reserved
            }
            Err(_) => Reservation::OutOfStock,
        };
        self.inventory.reservations_total(w, result).inc();
        result == Reservation::Reserved
    }

    /// Gives back `items` reserved from `w`.
    fn release(&self, w: Warehouse, items: i64) {
        let before = self.stock(w).fetch_add(items, Ordering::Relaxed);
        self.inventory.items(w).set((before + items) as f64);
    }
}

/// Counts an open checkout while it lives.
struct InFlight<'a>(&'a Orders);

impl<'a> InFlight<'a> {
    fn start(orders: &'a Orders) -> Self {
        orders.orders_in_flight().inc();
        Self(orders)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.orders_in_flight().dec();
    }
}

async fn checkout(
    State(shop): State<Arc<Shop>>,
    Path((warehouse, payment)): Path<(String, String)>,
    body: String,
) -> (StatusCode, &'static str) {
    let Some(warehouse) = Warehouse::from_name(&warehouse) else {
        return (StatusCode::NOT_FOUND, "no such warehouse\n");
    };
    let items = match body.trim() {
        "" => 1,
        n => match n.parse::<i64>() {
            Ok(n) if n > 0 => n,
            _ => return (StatusCode::BAD_REQUEST, "the body is a number of items\n"),
        },
    };
    let started = Instant::now();
    let _open = InFlight::start(&shop.orders);
    let (outcome, answer) = if payment == "declined" {
        (
            Outcome::Rejected,
            (StatusCode::PAYMENT_REQUIRED, "payment declined\n"),
        )
    } else if !shop.reserve(warehouse, items) {
        (Outcome::Rejected, (StatusCode::CONFLICT, "out of stock\n"))
    } else if payment == "error" {
        shop.release(warehouse, items);
        (
            Outcome::Failed,
            (StatusCode::BAD_GATEWAY, "payment provider failed\n"),
        )
    } else {
        (Outcome::Accepted, (StatusCode::CREATED, "ordered\n"))
    };
    // `payment` is free-form: past the family's budget, new methods fold into one series.
    shop.orders.orders_total(&payment, outcome).inc();
    shop.orders
        .checkout_duration_seconds(outcome)
        .observe(started.elapsed().as_secs_f64());
    answer
}

async fn stock_feed(
    State(shop): State<Arc<Shop>>,
    Path(warehouse): Path<String>,
    feed: String,
) -> (StatusCode, &'static str) {
    let Some(warehouse) = Warehouse::from_name(&warehouse) else {
        return (StatusCode::NOT_FOUND, "no such warehouse\n");
    };
    shop.inventory
        .feed_size_bytes(warehouse)
        .observe(feed.len() as f64);
    let counts: Option<Vec<i64>> = feed
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_sku, count] => count.parse().ok().filter(|n: &i64| *n >= 0),
            _ => None,
        })
        .collect();
    match counts {
        Some(counts) => {
            shop.set_stock(warehouse, counts.iter().sum());
            (StatusCode::NO_CONTENT, "")
        }
        None => (
            StatusCode::BAD_REQUEST,
            "each line is `<sku> <count>`, the count a whole number\n",
        ),
    }
}

/// The whole app over `registry`: the shop's routes and the exposition routes (`/metrics`,
/// `/health`, `/ready`, `/`), every request recorded as `shop_http_server_*`.
///
/// Fails only when `registry` already holds families of the same names.
pub fn app(registry: Arc<Registry>) -> Result<Router, RegistryError> {
    let orders = registry.register(Orders::new())?;
    let inventory = registry.register(Inventory::new())?;
    let http = registry.register_prefixed(PREFIX, HttpMetrics::new())?;
    let readiness = registry.register_prefixed(PREFIX, ReadinessMetrics::new())?;

    let shop = Arc::new(Shop {
        orders,
        inventory,
        stock: Default::default(),
    });
    for w in Warehouse::ALL {
        shop.set_stock(w, INITIAL_STOCK);
    }

    let exposition = AppState::new(registry, Config::default()).with_readiness_metrics(readiness);
    let stocked = shop.clone();
    exposition
        .readiness
        .add(Check::new_async("inventory", true, move || {
            let shop = stocked.clone();
            async move {
                let any = Warehouse::ALL
                    .into_iter()
                    .any(|w| shop.stock(w).load(Ordering::Relaxed) > 0);
                any.then_some(())
                    .ok_or_else(|| "no warehouse has stock".to_string())
            }
        }));

    Ok(Router::new()
        .route("/checkout/{warehouse}/{payment}", post(checkout))
        .route("/inventory/{warehouse}", put(stock_feed))
        .with_state(shop)
        .merge(router(exposition))
        .layer(http.layer()))
}
