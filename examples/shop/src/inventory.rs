//! Inventory: the metrics of stock, and the rules that watch them, declared side by side.

use promdecl::{Counter, Gauge, Histogram, LabelValue, Metrics};
use promdecl_gen::{Alert, RuleGroup};

// The inline `result = [..]` label is generated as `inventory_labels::Result`.
pub use inventory_labels::Result as Reservation;

/// Where stock is kept; a typed label shared by every inventory family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Warehouse {
    /// Exposed as `berlin`.
    Berlin,
    /// Exposed as `lisbon`.
    Lisbon,
}

impl Warehouse {
    /// Every warehouse, in slot order.
    pub const ALL: [Warehouse; 2] = [Warehouse::Berlin, Warehouse::Lisbon];

    /// The warehouse exposed as `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == name)
    }
}

/// Stock per warehouse, reservations against it, and the feeds that set it.
#[derive(Debug, Metrics)]
#[metrics(prefix = "shop_inventory")]
pub struct Inventory {
    /// Items in stock
    #[metric(gauge, labels = [warehouse: Warehouse])]
    items: Gauge,
    /// Stock reservations made at checkout, by warehouse and result
    #[metric(counter, labels = [warehouse: Warehouse, result = [reserved, out_of_stock]])]
    reservations_total: Counter,
    /// Size of the stock feeds received
    #[metric(histogram, labels = [warehouse: Warehouse],
             buckets = [256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0])]
    feed_size_bytes: Histogram,
}

/// Test input: reservations at one warehouse that found stock, and that did not.
const RESERVED: &str = r#"shop_inventory_reservations_total{warehouse="berlin",result="reserved"}"#;
const OUT_OF_STOCK: &str =
    r#"shop_inventory_reservations_total{warehouse="berlin",result="out_of_stock"}"#;

/// The rules over [`Inventory`]: each alert with the input that must fire it and the input
/// that must not, from which `docs/alerts/shop-inventory.rules.test.yml` is generated.
pub fn rules() -> RuleGroup {
    RuleGroup::new("shop-inventory")
        .record(
            "warehouse:shop_inventory_out_of_stock:ratio15m",
            r#"sum by (warehouse) (rate(shop_inventory_reservations_total{result="out_of_stock"}[15m])) / sum by (warehouse) (rate(shop_inventory_reservations_total[15m]))"#,
        )
        .alert(
            Alert::new("ShopWarehouseOutOfStock")
                .expr("warehouse:shop_inventory_out_of_stock:ratio15m > 0.2")
                .for_("15m")
                .label("severity", "warning")
                .annotation(
                    "summary",
                    "More than 20% of reservations at {{ $labels.warehouse }} find no stock",
                )
                .fires_with(OUT_OF_STOCK, "0+3x40")
                .fires_with(RESERVED, "0+6x40")
                .quiet_with(OUT_OF_STOCK, "0+0x40")
                .quiet_with(RESERVED, "0+6x40"),
        )
        .alert(
            Alert::new("ShopWarehouseEmpty")
                .expr("shop_inventory_items < 1")
                .for_("10m")
                .label("severity", "warning")
                .annotation("summary", "{{ $labels.warehouse }} has no stock left")
                .fires_with(r#"shop_inventory_items{warehouse="lisbon"}"#, "0+0x20")
                .quiet_with(r#"shop_inventory_items{warehouse="lisbon"}"#, "40+0x20"),
        )
}
