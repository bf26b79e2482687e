package io.onefed.upgrade.federation;

/**
 * A setting that cannot be used, found at start-up or at the moment of use: the field as written in YAML, what is
 * wrong and the fix, never a secret's value. The start-up validator reports it as a {@link ConfigProblem}.
 */
public class SettingException extends RuntimeException {

    private final String field;
    private final String problem;
    private final String fix;

    public SettingException(String field, String problem, String fix) {
        super((field == null ? "" : field + ": ") + problem + (fix == null ? "" : "; " + fix));
        this.field = field;
        this.problem = problem;
        this.fix = fix;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }
}
