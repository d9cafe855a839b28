//! One pane of the view: the graph canvas, its minimap and a progress line while the
//! layout runs. Input goes to `input`; clicks select nodes or expand/collapse groups.

use super::Ctx;
use super::frame::{request_draw, yield_now};
use super::input;
use super::minimap;
use super::pane::Pane;
use super::sync::select;
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use planscope_core::layout::{NodeIdx, Rect};

enum Hit {
    Node(u32),
    /// A group to expand or collapse, and a member to keep under the pointer.
    Group(String, Option<NodeIdx>),
}

fn hit(ctx: Ctx, i: usize, sx: f64, sy: f64) -> Option<Hit> {
    ctx.dag
        .try_with_value(|d| {
            let p = d.panes.get(i)?;
            let v = p.view.as_ref()?;
            // The collapse buttons drawn over expanded stacks come first.
            let (x, y) = (sx as f32, sy as f32);
            if let Some((_, g)) =
                p.chips.iter().find(|(r, _)| x >= r.x && x <= r.x + r.width && y >= r.y && y <= r.y + r.height)
            {
                return Some(Hit::Group(g.clone(), None));
            }
            let (wx, wy) = p.camera.to_world(sx, sy);
            if let Some(k) = v.items.hit(wx as f32, wy as f32) {
                let item = v.layout.items.get(k)?;
                if let Some(g) = &item.group {
                    return Some(Hit::Group(g.clone(), v.node_of_item.get(k).copied().flatten()));
                }
                return item.node.map(|n| Hit::Node(n.0));
            }
            // An expanded group's frame (and its title strip above) collapses it.
            v.layout
                .groups
                .iter()
                .filter_map(|g| {
                    let b = g.bounds?;
                    let inside = wx >= b.x as f64 - 6.0
                        && wx <= (b.x + b.width) as f64 + 6.0
                        && wy >= b.y as f64 - 18.0
                        && wy <= (b.y + b.height) as f64 + 6.0;
                    inside.then_some((b.width * b.height, g.id.clone()))
                })
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, id)| Hit::Group(id, None))
        })
        .flatten()
}

/// The box around an expanded group's frame and the items linked to its members: what
/// must stay in view after expanding it.
fn with_neighbours(p: &Pane, group: &str) -> Option<Rect> {
    let v = p.view.as_ref()?;
    let b = v.layout.groups.iter().find(|g| g.id == group)?.bounds?;
    let inside = |x: f32, y: f32| x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height;
    let (mut x0, mut y0, mut x1, mut y1) = (b.x - 6.0, b.y - 18.0 - 30.0, b.x + b.width + 6.0, b.y + b.height + 6.0);
    for e in v.layout.edges.iter() {
        let (Some(s), Some(t)) = (v.layout.items.get(e.source), v.layout.items.get(e.target)) else { continue };
        let other = match (inside(s.x, s.y), inside(t.x, t.y)) {
            (true, false) => t,
            (false, true) => s,
            _ => continue,
        };
        x0 = x0.min(other.x - other.width / 2.0);
        y0 = y0.min(other.y - other.height / 2.0);
        x1 = x1.max(other.x + other.width / 2.0);
        y1 = y1.max(other.y + other.height / 2.0);
    }
    Some(Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })
}

/// Expands or collapses `group`. Expanding brings the stack's members and their
/// neighbours into view (zooming out only if they don't fit); collapsing keeps `anchor`
/// (a member) or the stack where the pointer is.
pub fn toggle_group(ctx: Ctx, i: usize, group: String, anchor: Option<NodeIdx>, sx: f64, sy: f64) {
    let pane_ready = ctx.dag.try_with_value(|d| d.panes.get(i).map(|p| p.ready)).flatten();
    if let Some(r) = pane_ready {
        r.set(false);
    }
    let color = ctx.settings.color.get_untracked();
    spawn_local(async move {
        yield_now().await;
        ctx.dag.update_value(|d| {
            let Some(p) = d.panes.get_mut(i) else { return };
            let expanding = !p.opts.expanded.contains(&group);
            // Where the stack (or the clicked member) was on screen.
            let before = p.view.as_ref().and_then(|v| {
                let at = |it: &planscope_core::layout::Item| (it.x as f64, it.y as f64);
                let g = v.layout.groups.iter().find(|g| g.id == group);
                let (x, y) = match anchor {
                    Some(n) => v.layout.item_of_node.get(n).and_then(|&k| v.layout.items.get(k)).map(at),
                    None => g.and_then(|g| g.item).and_then(|k| v.layout.items.get(k)).map(at).or_else(|| {
                        let b = g?.bounds?;
                        Some(((b.x + b.width / 2.0) as f64, (b.y + b.height / 2.0) as f64))
                    }),
                }?;
                Some(p.camera.to_screen(x, y))
            });
            p.opts.toggle(&group);
            p.expanded_order.retain(|g| g != &group);
            if expanding {
                p.expanded_order.push(group.clone());
            }
            let grouping = p.opts.grouping;
            p.relayout(grouping, color);
            if expanding {
                if let Some(r) = with_neighbours(p, &group) {
                    p.frame_rect_no_closer(r);
                }
            } else if let Some(v) = &p.view {
                // The stack again, where its member (or the pointer) was.
                let it = v
                    .layout
                    .groups
                    .iter()
                    .find(|g| g.id == group)
                    .and_then(|g| g.item)
                    .and_then(|k| v.layout.items.get(k));
                if let Some(it) = it {
                    let (px, py) = before.unwrap_or((sx, sy));
                    p.camera.tx = px - it.x as f64 * p.camera.scale;
                    p.camera.ty = py - it.y as f64 * p.camera.scale;
                }
            }
        });
        ctx.version.update(|v| *v += 1);
        request_draw(ctx.dag, i);
    });
}

fn offset(ev: &web_sys::MouseEvent) -> (f64, f64) {
    (ev.offset_x() as f64, ev.offset_y() as f64)
}

#[component]
pub fn DagPane(ctx: Ctx, index: usize, side_key: &'static str, title: String, nodes: usize) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let mini = NodeRef::<Canvas>::new();
    let ready = ctx.dag.with_value(|d| d.panes.get(index).map(|p| p.ready)).unwrap_or(RwSignal::new(false));
    Effect::new(move |_| {
        if let (Some(c), Some(m)) = (canvas.get(), mini.get()) {
            ctx.dag.update_value(|d| {
                if let Some(p) = d.panes.get_mut(index) {
                    p.canvas = Some(c);
                    p.minimap = Some(m);
                }
            });
        }
    });
    let i = index;
    let on_down = move |ev: web_sys::PointerEvent| {
        ctx.active.set(i);
        if let Some(c) = canvas.get_untracked() {
            let _ = c.set_pointer_capture(ev.pointer_id());
        }
        let (x, y) = offset(&ev);
        ctx.dag.update_value(|d| {
            if let Some(p) = d.panes.get_mut(i) {
                input::down(p, ev.pointer_id(), x, y, ev.pointer_type() == "touch");
            }
        });
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let (x, y) = offset(&ev);
        let changed = ctx
            .dag
            .try_update_value(|d| d.panes.get_mut(i).map(|p| input::moved(p, ev.pointer_id(), x, y)))
            .flatten()
            .unwrap_or(false);
        if changed {
            request_draw(ctx.dag, i);
        }
    };
    let on_up = move |ev: web_sys::PointerEvent| {
        let (x, y) = offset(&ev);
        let click = ctx.dag.try_update_value(|d| d.panes.get_mut(i).map(|p| input::up(p, ev.pointer_id()))).flatten()
            == Some(true);
        if click {
            match hit(ctx, i, x, y) {
                Some(Hit::Node(n)) => select(ctx, i, Some(n)),
                Some(Hit::Group(g, anchor)) => toggle_group(ctx, i, g, anchor, x, y),
                None => select(ctx, i, None),
            }
        }
    };
    let on_cancel = move |ev: web_sys::PointerEvent| {
        ctx.dag.update_value(|d| {
            if let Some(p) = d.panes.get_mut(i) {
                p.pointer.down.retain(|x| x.0 != ev.pointer_id());
            }
        });
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        ctx.active.set(i);
        let (x, y) = offset(&ev);
        ctx.dag.update_value(|d| {
            if let Some(p) = d.panes.get_mut(i) {
                input::wheel(p, x, y, ev.delta_y(), ev.delta_mode());
            }
        });
        request_draw(ctx.dag, i);
    };
    let mini_press = RwSignal::new(false);
    let mini_jump = move |ev: &web_sys::PointerEvent| {
        let (x, y) = offset(ev);
        ctx.dag.update_value(|d| {
            if let Some(p) = d.panes.get_mut(i) {
                minimap::jump(p, x, y);
            }
        });
        request_draw(ctx.dag, i);
    };
    // The canvas's text alternative: what it shows and how to reach its nodes by keyboard
    // (the properties panel beside it reads the selected node out).
    let label = format!("{title}: press n or Shift+n on the graph to step through its nodes");
    view! {
        <div class="dag-pane" data-side=side_key data-ready=move || if ready.get() { "true" } else { "false" }>
            <div class="dag-pane-title">{title}</div>
            <canvas
                node_ref=canvas
                class="dag-canvas"
                data-testid="dag-canvas"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_cancel
                on:wheel=on_wheel
                // Two fingers are the graph's: keep the browser from scrolling the page.
                on:touchmove=|ev: web_sys::TouchEvent| {
                    if ev.touches().length() >= 2 {
                        ev.prevent_default();
                    }
                }
                role="img"
                aria-label=label
            ></canvas>
            <canvas
                node_ref=mini
                class="dag-minimap"
                data-testid="dag-minimap"
                on:pointerdown=move |ev: web_sys::PointerEvent| {
                    ev.stop_propagation();
                    if let Some(m) = mini.get_untracked() {
                        let _ = m.set_pointer_capture(ev.pointer_id());
                    }
                    mini_press.set(true);
                    mini_jump(&ev);
                }
                on:pointermove=move |ev: web_sys::PointerEvent| {
                    if mini_press.get_untracked() {
                        mini_jump(&ev);
                    }
                }
                on:pointerup=move |_| mini_press.set(false)
                on:pointercancel=move |_| mini_press.set(false)
            ></canvas>
            <div class="dag-progress" role="status" class:dag-hidden=move || ready.get()>
                <span class="dag-spinner" aria-hidden="true"></span>
                {format!("Laying out {} nodes…", super::thousands(nodes))}
            </div>
        </div>
    }
}
