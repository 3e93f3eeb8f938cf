//! Templates can build reference cycles; they must not leak past the render
//! (found by the fuzzer under LeakSanitizer: `$m.put($m, 2)`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use vtl::{Context, Limits, Template};

struct Live;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Live {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Live = Live;

#[test]
fn reference_cycles_are_freed_after_each_render() {
    let templates = [
        "#set($m = {'a': 1})#set($x = $m.put($m, 2))$m.size()",
        "#set($m = {})#set($m.self = $m)#set($l = [])#set($x = $l.add($l))#set($x = $l.add($m))",
        "#set($a = {})#set($b = {'a': $a})#set($a['b'] = $b)",
        "#set($l = [1])#set($x = $l.set(0, $l))",
        "#set($m = {'k': 1})#foreach($e in $m.entrySet())#set($x = $m.put('e', $e))#end",
        "#set($l = [])#set($x = $l.addAll([$l]))#set($m = {})#set($x = $m.putAll({'m': $m}))",
    ];
    let ctx = Context::default();
    let limits = Limits::default();
    for src in templates {
        let t = Template::parse(src).unwrap();
        // Warm up once (lazy statics, allocator caches), then measure.
        t.render(&ctx, &limits).unwrap();
        let before = LIVE_BYTES.load(Ordering::Relaxed);
        for _ in 0..100 {
            t.render(&ctx, &limits).unwrap();
        }
        let after = LIVE_BYTES.load(Ordering::Relaxed);
        assert!(
            after - before < 1024,
            "{src:?} leaked {} bytes",
            after - before
        );
    }
}
