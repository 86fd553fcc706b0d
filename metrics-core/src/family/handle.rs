//! What an accessor returns: a series, kept alive while the handle lives.

use std::fmt;
use std::ops::Deref;

use super::keyed::Pin;
use crate::value::{Record, Series, Timer};

/// A series of a family with free-form labels, as its accessor returns it: call the series'
/// methods on it (`metrics.peer_messages_total(peer).inc()`).
///
/// A series with free-form labels may be removed, or expire when idle, while a handle to it is
/// held; the handle keeps its slot from being given to another series until it drops. A series that expired while a handle to it was
/// held is taken back, values and all, once the handle drops, so no update is lost to expiry.
/// One held across [`Family::remove`](crate::Family::remove) updates the removed series, and
/// those updates are discarded with it. So take a handle per update (the accessor is as cheap
/// as a map lookup can be) rather than keeping one.
pub struct Handle<'a, S> {
    inner: Inner<'a, S>,
}

enum Inner<'a, S> {
    /// Series that are never removed: enumerated-only families and the overflow series.
    Borrowed(&'a S),
    /// A free-form series; the pin on its slot keeps the slot from being reused.
    Shared { _pin: Pin<'a>, series: &'a S },
}

impl<'a, S> Handle<'a, S> {
    /// A handle on a series that is never removed.
    #[doc(hidden)]
    #[inline(always)]
    pub fn borrowed(series: &'a S) -> Self {
        Self {
            inner: Inner::Borrowed(series),
        }
    }

    #[inline(always)]
    pub(crate) fn shared(pin: Pin<'a>, series: &'a S) -> Self {
        Self {
            inner: Inner::Shared { _pin: pin, series },
        }
    }
}

impl<S> Deref for Handle<'_, S> {
    type Target = S;

    #[inline(always)]
    fn deref(&self) -> &S {
        match &self.inner {
            Inner::Borrowed(s) | Inner::Shared { series: s, .. } => s,
        }
    }
}

impl<S: Series + Record> Handle<'_, S> {
    /// Starts a timer that records the elapsed seconds into this series when dropped: a
    /// histogram observes them, a gauge is set to them.
    pub fn start_timer(self) -> Timer<Self> {
        Timer::new(self)
    }
}

impl<S: fmt::Debug> fmt::Debug for Handle<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Handle").field(&**self).finish()
    }
}
