# Package helpers shared by apt-get, dpkg-query, dnf/yum and rpm (sourced after sim-lib.sh).
# Rule: the repository file names a release series in its URL (.../repo/<series>/...); the series maps to the
# version the simulated repository offers through $ST/catalogue ("<series> <version>" lines).
REPO_APT="$SIM_SERVER_DIR/etc/apt/sources.list.d/opennebula.list"
REPO_DNF="$SIM_SERVER_DIR/etc/yum.repos.d/opennebula.repo"

repo_series() { # file -> series named by its first active repository line
    [ -f "$1" ] || return 0
    grep -v '^[[:space:]]*#' "$1" | sed -n 's#.*/repo/\([0-9][0-9]*\.[0-9][0-9]*\)/.*#\1#p' | head -n 1
}
repo_url() { grep -v '^[[:space:]]*#' "$1" 2>/dev/null | grep -o 'https\{0,1\}://[^ ]*' | head -n 1; }
offered_for() { awk -v s="$1" '$1 == s { print $2; exit }' "$ST/catalogue" 2>/dev/null; }
installed_packages() { cat "$ST/packages" 2>/dev/null; }
is_installed() { grep -qx "$1" "$ST/packages" 2>/dev/null; }

# moves the installed release to $1; the units the new release no longer ships go with their packages
# (7.0 drops the scheduler, Sunstone and noVNC; 6.10 drops 6.6/6.8's opennebula-gate-proxy)
install_version() {
    _keep=" $(release_units "$1") "
    for _f in "$ST"/units/opennebula*; do
        [ -e "$_f" ] || continue
        case $_keep in *" $(basename "$_f") "*) ;; *) rm -f "$_f" ;; esac
    done
    sim_write "$ST/installed_version" "$1"
}
