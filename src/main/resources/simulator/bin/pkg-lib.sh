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

# moves the installed release to $1; 7.0 drops the scheduler, Sunstone and noVNC units
install_version() {
    sim_write "$ST/installed_version" "$1"
    if [ "$(major_of "$1")" -ge 7 ]; then
        rm -f "$ST/units/opennebula-scheduler" "$ST/units/opennebula-sunstone" "$ST/units/opennebula-novnc"
    fi
}
