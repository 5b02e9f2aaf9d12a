//! Named choices of a request (`--sort`, `--by`, `--metric`, …): one list of names, help and
//! defaults for the command line, the server and JSON.
//!
//! Each option enum implements [`Choice`] with [`choices!`](crate::choices): its values in order
//! (the first is the default), the name each one has on the command line, in the API and in
//! JSON (`serde(rename_all = "lowercase")` gives the same), and one line of help. The CLI builds
//! its possible values from [`Choice::ALL`] and the server parses with [`FromStr`], so a value
//! is spelt once.

use std::fmt;
use std::str::FromStr;

/// An option with a fixed set of named values.
pub trait Choice: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// Every value, the default first.
    const ALL: &'static [Self];

    /// The name on the command line, in the API and in JSON.
    fn name(self) -> &'static str;

    /// One line of help for `--help`.
    fn help(self) -> &'static str;

    /// The names of all values, for messages ("give one of …").
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|c| c.name()).collect()
    }

    /// The value called `name` (exactly as [`Choice::name`] spells it).
    fn from_name(name: &str) -> Result<Self, UnknownChoice> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.name() == name)
            .ok_or_else(|| UnknownChoice { given: name.to_string(), names: Self::names() })
    }
}

/// A name that is none of the values of a [`Choice`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownChoice {
    /// What was given.
    pub given: String,
    /// The names that are allowed.
    pub names: Vec<&'static str>,
}

impl fmt::Display for UnknownChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: give one of {}", self.given, self.names.join(", "))
    }
}

impl std::error::Error for UnknownChoice {}

/// Implements [`Choice`], [`FromStr`], `Default` (the first value) and `Display` (the name) for
/// an enum: `choices!(Type { Variant => ("name", "help"), … })`.
#[macro_export]
macro_rules! choices {
    ($ty:ident { $first:ident => ($first_name:literal, $first_help:literal) $(, $variant:ident => ($name:literal, $help:literal))* $(,)? }) => {
        impl $crate::choice::Choice for $ty {
            const ALL: &'static [Self] = &[$ty::$first $(, $ty::$variant)*];

            fn name(self) -> &'static str {
                match self {
                    $ty::$first => $first_name,
                    $($ty::$variant => $name,)*
                }
            }

            fn help(self) -> &'static str {
                match self {
                    $ty::$first => $first_help,
                    $($ty::$variant => $help,)*
                }
            }
        }

        impl ::std::default::Default for $ty {
            fn default() -> Self {
                $ty::$first
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::choice::UnknownChoice;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                <$ty as $crate::choice::Choice>::from_name(s)
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::choice::Choice::name(*self))
            }
        }
    };
}

/// Parses a name into any [`Choice`] (the same as `str::parse`).
pub fn parse<T: Choice + FromStr<Err = UnknownChoice>>(name: &str) -> Result<T, UnknownChoice> {
    name.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Shape {
        Round,
        Square,
    }

    crate::choices!(Shape { Round => ("round", "no corners"), Square => ("square", "four corners") });

    #[test]
    fn names_parse_back_and_the_first_is_the_default() {
        assert_eq!(Shape::default(), Shape::Round);
        for &shape in Shape::ALL {
            assert_eq!(shape.name().parse::<Shape>(), Ok(shape));
            assert_eq!(shape.to_string(), shape.name());
            let json = serde_json::to_string(&shape).unwrap();
            assert_eq!(json, format!("\"{}\"", shape.name()), "JSON spells it the same");
        }
        let err = parse::<Shape>("Round").unwrap_err();
        assert_eq!(err.to_string(), "\"Round\": give one of round, square");
    }
}
