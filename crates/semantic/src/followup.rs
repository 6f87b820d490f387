//! Follow-ups in a conversation: a question that only adds a breakdown ("and by country?"), a filter
//! ("solo WhatsApp"), a period ("¿y el mes anterior?") or a limit ("top 3") refines the previous intent.

use crate::fragments::Fragments;
use crate::intent::{Filter, Intent};
use crate::lang::Lang;
use crate::model::SemanticModel;
use crate::parse;
use crate::plan::NotUnderstood;

pub(crate) fn merge(
    model: &SemanticModel,
    prev: &Intent,
    f: &Fragments,
    lang: Lang,
) -> Result<Intent, NotUnderstood> {
    let fail = |en: &str, es: &str| NotUnderstood::new(model, lang, lang.pick(en, es).to_string(), vec![]);
    if f.is_empty() {
        return Err(fail(
            "I did not find what to change in the previous question.",
            "No encontré qué cambiar de la pregunta anterior.",
        ));
    }
    // "Unique", "the newest": shapes of a whole question, never dropped from a follow-up unseen.
    if !f.distinct.is_empty() || f.newest.is_some() {
        return Err(fail(
            "Ask that as a whole question, e.g. \"the 10 newest contacts\" or \"how many contacts bought last month\".",
            "Haz esa pregunta completa, p. ej. \"los 10 contactos más recientes\" o \"cuántos contactos compraron el mes pasado\".",
        ));
    }
    let mut intent = prev.clone();
    intent.lang = Some(lang);
    if !f.metrics.is_empty() {
        intent.metrics = f.metrics.clone();
        if let Some(s) = intent.sort.as_mut()
            && s.metric.as_ref().is_some_and(|m| !intent.metrics.contains(m))
        {
            s.metric = intent.metrics.first().cloned();
        }
    }
    let base = parse::base_table(model, &intent.metrics).ok_or_else(|| {
        fail(
            "Those measures come from different data and cannot be combined in one answer.",
            "Esas medidas vienen de datos distintos y no se pueden combinar en una respuesta.",
        )
    })?;
    let cannot = || {
        fail(
            "The previous breakdown or filter does not apply to this measure.",
            "El desglose o filtro anterior no aplica a esta medida.",
        )
    };
    // A new metric may live on another table: carry breakdowns and filters over by family.
    let mut breakdowns = Vec::new();
    for d in &intent.breakdowns {
        breakdowns.push(rebase(model, d, &base).ok_or_else(cannot)?);
    }
    intent.breakdowns = breakdowns;
    let mut filters: Vec<Filter> = Vec::new();
    for fl in &intent.filters {
        let dimension = rebase(model, &fl.dimension, &base).ok_or_else(cannot)?;
        filters.push(Filter { dimension, ..fl.clone() });
    }
    intent.filters = filters;

    if !f.breakdowns.is_empty() {
        let mut new = Vec::new();
        for b in &f.breakdowns {
            let d = parse::resolve_dim(model, &b.candidates, &base).ok_or_else(|| {
                fail("This measure cannot be broken down that way.", "Esta medida no se puede desglosar así.")
            })?;
            if !new.contains(&d) {
                new.push(d);
            }
        }
        if f.also {
            for d in new {
                if !intent.breakdowns.contains(&d) {
                    intent.breakdowns.push(d);
                }
            }
        } else {
            intent.breakdowns = new;
        }
        // A ranking of the old breakdown does not carry over to a new one.
        intent.top_n = None;
        intent.nth = false;
        intent.sort = None;
    }
    let new_filters = parse::resolve_values(model, &f.values, &base).map_err(|_| {
        fail("That filter does not apply to this measure.", "Ese filtro no aplica a esta medida.")
    })?;
    for nf in new_filters {
        intent.filters.retain(|x| x.dimension != nf.dimension);
        intent.filters.push(nf);
    }
    if !f.times.is_empty() {
        intent.time_range = None;
        intent.comparison = None;
        parse::apply_time(&mut intent, f).map_err(|(en, es)| fail(&en, &es))?;
    }
    if let Some(g) = f.grain {
        intent.grain = Some(g);
    }
    if f.days.is_some() {
        intent.days = f.days;
    }
    if f.share {
        intent.share = true;
    }
    parse::apply_ranking(&mut intent, f);
    parse::apply_metric_filter_overlap(model, &mut intent);
    parse::check(&intent).map_err(|(en, es)| fail(&en, &es))?;
    Ok(intent)
}

/// The dimension of the same family as `dim` that rows of `base` can use.
fn rebase(model: &SemanticModel, dim: &str, base: &str) -> Option<String> {
    let def = model.dimension(dim)?;
    if model.reachable(base, &def.table) {
        return Some(dim.to_string());
    }
    let family: Vec<String> =
        model.dimensions().iter().filter(|d| d.family() == def.family()).map(|d| d.name.clone()).collect();
    parse::resolve_dim(model, &family, base)
}
