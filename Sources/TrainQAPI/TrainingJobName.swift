/// How trainq names the v2 jobs it creates: the caller's `metadata.name` with a suffix of the
/// submission's id, so the name is the submission's own idempotency key (ModelArts has no client token).
///
/// A pure function of (base, submission id): intake stores it, and the reconciler searches for exactly it.
public enum TrainingJobName {
    /// ModelArts' limit for `metadata.name` (letters, digits, `_` and `-`).
    public static let maximumLength = 64
    /// Characters of the submission id in the suffix: the ULID's 80 random bits (16 base-32 digits), so
    /// two submissions never share a name even when made in the same millisecond.
    public static let suffixLength = 16

    /// `base` cut so that `base-suffix` fits 64 characters, then `-` and the id's last 16 characters in
    /// lower case.
    public static func derived(base: String, submissionID: String) -> String {
        let suffix = String(submissionID.suffix(suffixLength)).lowercased()
        let room = maximumLength - suffix.count - 1
        return String(base.prefix(room)) + "-" + suffix
    }

    /// The base name of a copy when the caller gave none: `copy-` and the first 8 characters of the job
    /// it copies.
    public static func copyBase(of trainingJobID: String) -> String {
        "copy-" + String(trainingJobID.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(8))
    }
}
