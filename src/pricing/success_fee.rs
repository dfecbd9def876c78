//! The success fee: priced like a line from its catalog item, with its own BTW, and kept out of
//! the totals (it is due only on placement).

use super::computation::SuccessFee;
use super::money::Money;
use crate::catalog::{Catalog, Language, Tier};

/// The success fee of `tier`, if the catalog has one for it.
pub(super) fn price(catalog: &Catalog, tier: &Tier, language: Language) -> Option<SuccessFee> {
    let terms = catalog.success_fee_for(tier)?;
    let item = catalog
        .item(&terms.item)
        .expect("the loader checked the success fee's item");
    let category = catalog.vat_category(&item.vat);
    let unit_price = Money::round(item.unit_price);
    let excl_vat = Money::round(terms.quantity * unit_price.amount());
    let vat = excl_vat.vat_at(category.rate);
    Some(SuccessFee {
        code: item.code.clone(),
        name: item.name.get(language).to_string(),
        description: item.description.get(language).to_string(),
        condition: terms.condition.get(language).to_string(),
        quantity: terms.quantity.normalize(),
        unit: item.unit,
        unit_price,
        vat_rate: category.rate.normalize(),
        excl_vat,
        vat,
        incl_vat: excl_vat + vat,
        vat_exempt_reason: category
            .exempt_reason
            .as_ref()
            .map(|r| r.get(language).to_string()),
    })
}
