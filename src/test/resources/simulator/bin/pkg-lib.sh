# Package helpers shared by apt-get, apt-cache, dpkg-query, dnf/yum and rpm (sourced after sim-lib.sh).
# Rule: the repository file names a release series in its URL (.../repo/<series>/...); the simulated repository of
# that series offers the versions listed for it in $ST/catalogue ("<series> <version>" lines, several patches per
# series: a series repository installs its newest one). Package versions: "<version>-1" (deb), "<version>-1.el9" (rpm).
REPO_APT="$SIM_SERVER_DIR/etc/apt/sources.list.d/opennebula.list"
REPO_DNF="$SIM_SERVER_DIR/etc/yum.repos.d/opennebula.repo"

repo_series() { # file -> series named by its first active repository line
    [ -f "$1" ] || return 0
    grep -v '^[[:space:]]*#' "$1" | sed -n 's#.*/repo/\([0-9][0-9]*\.[0-9][0-9]*\)/.*#\1#p' | head -n 1
}
repo_url() { grep -v '^[[:space:]]*#' "$1" 2>/dev/null | grep -o 'https\{0,1\}://[^ ]*' | head -n 1; }
# every version the series' repository offers, oldest first
offers_of() { awk -v s="$1" '$1 == s { print $2 }' "$ST/catalogue" 2>/dev/null | sort -V; }
offered_for() { offers_of "$1" | tail -n 1; }
offers() { offers_of "$1" | grep -qx "$2"; }
installed_packages() { cat "$ST/packages" 2>/dev/null; }
is_installed() { grep -qx "$1" "$ST/packages" 2>/dev/null; }
# a package's own version: packages left out of a transaction keep theirs, the others follow the server's
pkg_version() { sim_read "$ST/pkgver/$1" "$(installed_version)"; }

# which packages a series' repository carries: 7.0 ships opennebula-migration and drops Sunstone (Ruby), provision
# and the CE migration package (OpenNebula/website one-7.0 upgrading_single.md; OpenNebula/docs one-6.10
# upgrading_single.rst lists opennebula-provision and opennebula-migration-community for 6.10)
ships() { # package series
    case $1 in
        opennebula|opennebula-common|opennebula-common-onecfg|opennebula-tools|opennebula-libs|opennebula-rubygems|\
        opennebula-flow|opennebula-gate|opennebula-fireedge|opennebula-guacd|python3-pyone|opennebula-node-kvm|opennebula-node-lxc) return 0 ;;
        opennebula-migration) [ "$(major_of "$2.0")" -ge 7 ] ;;
        opennebula-sunstone|opennebula-provision|opennebula-migration-community) [ "$(major_of "$2.0")" -lt 7 ] ;;
        *) return 1 ;;
    esac
}

# the migrators onedb needs: a migration package at the installed server's version (OpenNebula/one issue #4998)
migrators_installed() {
    for _m in opennebula-migration opennebula-migration-community; do
        is_installed "$_m" && [ "$(pkg_version "$_m")" = "$(installed_version)" ] && return 0
    done
    return 1
}

# moves the packages named in $2.. to version $1 (the server's version when opennebula is among them); installed
# packages left out keep their version; the units the new release no longer ships go with their packages
# (7.0 drops the scheduler, Sunstone and noVNC; 6.10 drops 6.6/6.8's opennebula-gate-proxy)
install_version() {
    _v=$1; shift
    for _p in $(installed_packages); do
        case " $* " in *" $_p "*) ;; *) [ -f "$ST/pkgver/$_p" ] || sim_write "$ST/pkgver/$_p" "$(pkg_version "$_p")" ;; esac
    done
    for _p in "$@"; do
        is_installed "$_p" || printf '%s\n' "$_p" >> "$ST/packages"
        if [ "$_p" = opennebula ]; then sim_write "$ST/installed_version" "$_v"; fi
    done
    for _p in "$@"; do
        if [ "$_v" = "$(installed_version)" ]; then rm -f "$ST/pkgver/$_p"; else sim_write "$ST/pkgver/$_p" "$_v"; fi
    done
    _keep=" $(release_units "$(installed_version)") "
    for _f in "$ST"/units/opennebula*; do
        [ -e "$_f" ] || continue
        case $_keep in *" $(basename "$_f") "*) ;; *) rm -f "$_f" ;; esac
    done
}

# removes the packages named (installed ones only; the callers check): they leave the package list with their own
# version record; units they shipped go with them
remove_packages() {
    for _p in "$@"; do
        grep -vx "$_p" "$ST/packages" > "$ST/packages.part" 2>/dev/null; mv -f "$ST/packages.part" "$ST/packages"
        rm -f "$ST/pkgver/$_p"
    done
}

# /etc/one/oned.conf differs from the packaged one on every federation front-end (FEDERATION section)
conffile_changed() { grep -q 'MODE *= *"\(MASTER\|SLAVE\)"' "$ETC/oned.conf" 2>/dev/null; }

# a path of the front-end as the simulated server sees it: /etc/... is the server's own etc under $SIM_SERVER_DIR;
# other paths (the server's directory itself, a mktemp scratch directory) are taken as they are
host_path() { case $1 in "$SIM_SERVER_DIR"/*) printf '%s\n' "$1" ;; /etc/*) printf '%s%s\n' "$SIM_SERVER_DIR" "$1" ;; *) printf '%s\n' "$1" ;; esac; }
