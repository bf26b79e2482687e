# Shared helpers of the simulated OpenNebula commands (sourced, POSIX sh).
# State lives in plain files with one value per line so the JVM side can read the same files:
#   $SIM_SERVER_DIR/{etc/one,var/lib/one,var/lock/one/one}  what a real front-end has
#   $SIM_SERVER_DIR/sim/                                    the simulated machine state (versions, units, DB)
#   $SIM_SERVER_DIR/commands.log                            one line per simulated command call
: "${SIM_SERVER_DIR:?run inside the simulated federation (SIM_SERVER_DIR is not set)}"
: "${SIM_ROOT:?run inside the simulated federation (SIM_ROOT is not set)}"
ST="$SIM_SERVER_DIR/sim"
DB="$ST/db"
ETC="$SIM_SERVER_DIR/etc/one"
VAR="$SIM_SERVER_DIR/var/lib/one"
LOCK="$SIM_SERVER_DIR/var/lock/one/one"
ONED_LOG="$SIM_SERVER_DIR/var/log/one/oned.log"
FAULTS="$ST/faults"


# first line of a state file, or the default
sim_read() { if [ -f "$1" ]; then head -n 1 "$1"; else printf '%s\n' "$2"; fi; }
sim_write() { mkdir -p "$(dirname "$1")" && printf '%s\n' "$2" > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"; }

# Logs the call, applies latency, hang and fail-next faults. Usage: sim_begin <command> "$@"
sim_begin() {
    _sim_cmd=$1; shift
    _sim_mask=0
    _sim_start=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
    # the host's own timing of the call (start, exit, status) for the benchmark's floor: command-times.log
    trap 'sim_end $?' EXIT
    {
        printf '%s %s' "$_sim_start" "$_sim_cmd"
        for _a in "$@"; do
            # a password given on the command line never reaches the log
            if [ "$_sim_mask" = 1 ]; then printf ' ***'; _sim_mask=0; continue; fi
            case $_a in -p|--password) _sim_mask=1 ;; --password=*) _a='--password=***' ;; esac
            printf ' %s' "$_a"
        done
        printf '\n'
    } >> "$SIM_SERVER_DIR/commands.log"
    _lat=$(sim_read "$FAULTS/latency_ms.$_sim_cmd" "$(sim_read "$FAULTS/latency_ms" 0)")
    if [ "${_lat:-0}" -gt 0 ] 2>/dev/null; then sleep "$(awk "BEGIN { printf \"%.3f\", $_lat / 1000 }")"; fi
    # a fault named <command>-<subcommand> (e.g. onedb-restore) hits only calls whose first argument is it
    _sub="$_sim_cmd-${1:-}"
    while [ -e "$FAULTS/hang/$_sim_cmd" ] || { [ -n "${1:-}" ] && [ -e "$FAULTS/hang/$_sub" ]; }; do sleep 0.1; done
    _f="$FAULTS/fail/$_sim_cmd"
    if [ -n "${1:-}" ] && [ -f "$FAULTS/fail/$_sub" ]; then _f="$FAULTS/fail/$_sub"; fi
    if [ -f "$_f" ]; then
        # count and exit code on line 1, stderr text after it; decremented under a lock (parallel calls)
        _code=$( (
            flock 9
            [ -f "$_f" ] || exit 0
            read -r _n _c < "$_f"
            [ "${_n:-0}" -gt 0 ] || exit 0
            tail -n +2 "$_f" >&2
            if [ "$_n" -le 1 ]; then rm -f "$_f"; else
                { printf '%s %s\n' $((_n - 1)) "$_c"; tail -n +2 "$_f"; } > "$_f.new" && mv -f "$_f.new" "$_f"
            fi
            printf '%s' "$_c"
        ) 9>>"$FAULTS/fail.lock" )
        if [ -n "$_code" ]; then exit "$_code"; fi
    fi
}

# Writes the call's line to command-times.log: start, exit stamp, exit status, command. Run by the EXIT trap
# sim_begin sets, and by runuser/su right before they exec the command they switch to (exec drops the trap; the
# command they run logs its own line).
sim_end() {
    trap - EXIT
    printf '%s %s %s %s\n' "$_sim_start" "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$1" "$_sim_cmd" \
        >> "$SIM_SERVER_DIR/command-times.log"
}

# The simulated uid: SimServer sets SIM_UID from the SSH login user (root is 0), the simulated runuser and su
# switch it. Tools that refuse root (onehost sync) test it, as the real ones test Process.uid.
sim_uid() { printf '%s\n' "${SIM_UID:-0}"; }
# uid and home of the users a simulated front-end or node has (getpwnam); empty for an unknown user
sim_passwd() {
    case $1 in
        root) echo "0 $SIM_SERVER_DIR" ;;
        oneadmin) echo "9869 $SIM_SERVER_DIR/var/lib/one" ;;
    esac
}
# runuser and su (util-linux login-utils/su-common.c): only root may use runuser ("may not be used by non-root
# users"); su asks a non-root caller for the target's password, which fails without a terminal. Both set HOME,
# SHELL, USER and LOGNAME from the target's passwd entry (without --login: the directory is kept).
# Usage: sim_switch_user runuser|su "$@"
sim_switch_user() {
    _prog=$1; shift
    if [ "$(sim_uid)" != 0 ]; then
        if [ "$_prog" = runuser ]; then echo "runuser: may not be used by non-root users" >&2
        else echo "Password: su: Authentication failure" >&2; fi
        exit 1
    fi
    _user=""; _cmd=""; _shell=""; _direct=0
    while [ $# -gt 0 ]; do
        case $1 in
            -u|--user) [ "$_prog" = runuser ] || { echo "su: invalid option -- 'u'" >&2; exit 1; }
                shift; _user=$1; _direct=1; shift; [ "${1:-}" = -- ] && shift; break ;;
            -c|--command) shift; _cmd=$1 ;;
            --command=*) _cmd=${1#--command=} ;;
            -s|--shell) shift; _shell=$1 ;;
            --shell=*) _shell=${1#--shell=} ;;
            -|-l|--login|-m|-p|--preserve-environment) ;;
            --) shift; [ -z "$_user" ] && [ $# -gt 0 ] && { _user=$1; shift; }; break ;;
            -*) echo "$_prog: unrecognized option '$1'" >&2; exit 1 ;;
            *) if [ -z "$_user" ]; then _user=$1; else break; fi ;;
        esac
        shift
    done
    [ -n "$_user" ] || _user=root
    _pw=$(sim_passwd "$_user")
    if [ -z "$_pw" ]; then
        echo "$_prog: user $_user does not exist or the user entry does not contain all the required fields" >&2
        exit 1
    fi
    SIM_UID=${_pw%% *}; HOME=${_pw#* }; USER=$_user; LOGNAME=$_user; SHELL=${_shell:-/bin/sh}
    export SIM_UID HOME USER LOGNAME SHELL
    sim_end 0
    if [ $_direct = 1 ]; then
        [ $# -gt 0 ] || exec "$SHELL"
        exec "$@"
    fi
    if [ -n "$_cmd" ]; then exec "$SHELL" -c "$_cmd" "$@"; fi
    exec "$SHELL" "$@"
}

installed_version() { sim_read "$ST/installed_version" ""; }
major_of() { printf '%s\n' "$1" | cut -d. -f1; }
series_of() { printf '%s\n' "$1" | cut -d. -f1,2; }
# DB schema version a release's code expects: its series with patch 0 (6.10.3 -> 6.10.0), as the release table
# (src/main/resources/io/onefed/upgrade/releases/opennebula-releases.tsv) has it for 6.x and 7.x
code_db_version() { printf '%s.0\n' "$(series_of "$1")"; }
# Shared (federated) DB version a release's code expects: code_db_version unless the spec's
# codeSharedDbVersions gives this release another one (SimulationSpec: a release whose real shared version is not
# the table's, e.g. a maintenance release that changed the federated tables, as 5.4.1 did: release-5.4.1
# include/Nebula.h shared_db_version() "5.4.1" after 5.4.0's "5.4.0")
code_shared_db_version() {
    _cs=$(awk -v v="$1" '$1 == v { print $2; exit }' "$SIM_ROOT/sim/code-shared-db-versions" 2>/dev/null)
    if [ -n "$_cs" ]; then printf '%s\n' "$_cs"; else code_db_version "$1"; fi
}
# prints -1, 0 or 1 comparing two dotted versions
vcmp() {
    if [ "$1" = "$2" ]; then echo 0; return; fi
    _low=$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)
    if [ "$_low" = "$1" ]; then echo -1; else echo 1; fi
}

# units a release ships (share/pkgs/services/systemd/ of its OpenNebula/one branch), from the table the
# simulator writes (SimUnits.java): the newest series listed that is not above the release's own
release_units() {
    _rs=$(series_of "$1")
    awk -v s="$_rs" 'function key(v,  p) { split(v, p, "."); return p[1] * 1000 + p[2] }
        NR == 1 { first = $0 } key($1) <= key(s) { line = $0 }
        END { if (line == "") line = first; sub(/^[^ ]+ /, "", line); print line }' "$SIM_ROOT/sim/release-units"
}
# units the installed release ships, plus the extra units of this front-end (apache2, nginx ...)
known_units() {
    _u=$(release_units "$(installed_version)")
    printf '%s' "$_u"
    if [ -f "$ST/extra_units" ]; then tr '\n' ' ' < "$ST/extra_units" | sed 's/^/ /'; fi
    printf '\n'
}
unit_name() { case $1 in *.service|*.timer|*.socket|*.target) printf '%s\n' "$1" ;; *) printf '%s.service\n' "$1" ;; esac; }
unit_base() { case $1 in *.service) printf '%s\n' "${1%.service}" ;; *) printf '%s\n' "$1" ;; esac; }
unit_known() { _b=$(unit_base "$1"); for _k in $(known_units); do [ "$_k" = "$_b" ] && return 0; done; return 1; }
unit_active() { [ "$(sim_read "$ST/units/$(unit_base "$1")" inactive)" = active ]; }

oned_active() { unit_active opennebula; }
# what the CLI prints when oned does not answer on the local endpoint
cli_refused() {
    echo 'Failed to open TCP connection to localhost:2633 (Connection refused - connect(2) for "localhost" port 2633)' >&2
    exit 255
}
zone_disabled() { [ "$(sim_read "$DB/zone_state" 0)" = 1 ]; }
