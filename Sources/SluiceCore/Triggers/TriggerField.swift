/// Fields a triggered run keeps in its job hash.
public enum TriggerField {
    /// What started it: `webhook <token name>`, `route POST /hooks/x`.
    public static let trigger = JobRecord.Field.trigger.rawValue
    /// `1`: the script's `preprocessor` runs first, with the trigger's event, and gives `main` its arguments.
    public static let preprocess = JobRecord.Field.preprocess.rawValue
    /// The argument a preprocessing run hands its script: the event, for `preprocessor(event)`.
    public static let preprocessArgument = "__sluice_preprocess__"
    /// The `frame` of a flow's preprocessor step (FrameID's root `p`): `preprocessor(event)` (else
    /// `main(event)`) is the whole step, its return the step's result — the flow's input.
    public static let preprocessorFrame = "p"
    /// The argument a preprocessor step hands its script.
    public static let preprocessOnlyArgument = "__sluice_preprocess_only__"
}
