//! Faults injected into builds by the crash-safety tests: a build that fails, or pauses so
//! that a test can kill it, at the two moments that make a run visible (the swap of a full
//! build, the commit of an update).
//!
//! Compiled only for the library's own tests and with the `fault-injection` feature, which the
//! command line's tests turn on (a dev-dependency feature: `cargo build` leaves it out, so a
//! released binary has no hook). The hook comes from `SPEECHDEX_TEST_HOOK`.

use std::time::Duration;

use crate::{Error, Result};

/// A fault to inject into a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestHook {
    /// Sleep for a minute just before making a full build current (so a test can kill it).
    PauseBeforeSwap,
    /// Fail just before making a full build current.
    FailBeforeSwap,
    /// Fail just before the last commit of a run (an update's only commit).
    FailBeforeCommit,
    /// Fail just before making a full build current as a full disk does (tantivy's I/O error
    /// "No space left on device").
    DiskFullBeforeSwap,
}

/// The moments at which a hook acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    /// Before a full build's new generation becomes current.
    Swap,
    /// Before the last commit of a run.
    Commit,
}

impl TestHook {
    /// The hook named by `SPEECHDEX_TEST_HOOK` (`pause-before-swap`, `fail-before-swap`,
    /// `fail-before-commit`, `disk-full-before-swap`), if any.
    pub fn from_env() -> Option<TestHook> {
        match std::env::var("SPEECHDEX_TEST_HOOK").ok()?.as_str() {
            "pause-before-swap" => Some(TestHook::PauseBeforeSwap),
            "fail-before-swap" => Some(TestHook::FailBeforeSwap),
            "fail-before-commit" => Some(TestHook::FailBeforeCommit),
            "disk-full-before-swap" => Some(TestHook::DiskFullBeforeSwap),
            _ => None,
        }
    }

    /// Acts at `moment`: pauses, or fails with [`Error::Injected`] (never a user error) or a
    /// full disk's I/O error.
    pub(crate) fn at(hook: Option<TestHook>, moment: Moment) -> Result<()> {
        match (hook, moment) {
            (Some(TestHook::PauseBeforeSwap), Moment::Swap) => {
                std::thread::sleep(Duration::from_secs(60));
                Ok(())
            }
            (Some(TestHook::FailBeforeSwap), Moment::Swap) => {
                Err(Error::Injected("failing before the swap"))
            }
            (Some(TestHook::FailBeforeCommit), Moment::Commit) => {
                Err(Error::Injected("failing before the commit"))
            }
            (Some(TestHook::DiskFullBeforeSwap), Moment::Swap) => {
                let full = std::io::Error::from_raw_os_error(28);
                Err(Error::Tantivy(tantivy::TantivyError::IoError(std::sync::Arc::new(full))))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hook_acts_only_at_its_moment_and_is_not_the_users_fault() {
        assert!(TestHook::at(Some(TestHook::FailBeforeSwap), Moment::Commit).is_ok());
        assert!(TestHook::at(None, Moment::Swap).is_ok());
        let err = TestHook::at(Some(TestHook::FailBeforeCommit), Moment::Commit).unwrap_err();
        assert!(!err.is_user_error());
        assert!(err.to_string().contains("injected fault"), "{err}");
    }
}
