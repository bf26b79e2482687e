#!/bin/sh
# Writes src/main/resources/io/onefed/upgrade/releases/opennebula-releases.tsv from a clone of OpenNebula/one.
# Usage: src/tools/opennebula-release-table.sh <OpenNebula/one git dir> > src/main/resources/io/onefed/upgrade/releases/opennebula-releases.tsv
# One row per release tag release-X.Y.Z[.W] from 5.0 on (betas, RCs, -fixup tags, the X.Y.80/85/90 development
# builds and tags whose code_version() is not their name left out), then the head of each release branch one-X.Y
# whose code_version() no tag has (maintenance not yet tagged, e.g. 7.4.1). Columns: release (= code_version()),
# ref, shared_db_version(), local_db_version() of the C++ headers, and onedb's LATEST_DB_VERSION
# (src/onedb/database_schema.rb), which `onedb version -v` prints as the shared "Required version:" from 6.0 on
# (src/onedb/onedb.rb OneDB#version, added by F #5089, commit 61124782e8); "-" where onedb does not print it.
# Which header: oned reads Nebula::shared_db_version() (src/nebula/SystemDB.cc); up to 6.0 include/Nebula.h defines
# the three functions itself (include/NebulaService.h also has a stale copy there), from 6.2 on only
# include/NebulaService.h does, and Nebula inherits them.
set -eu
G="git --git-dir=$1"
fn() { # ref header function
    $G show "$1:$2" 2>/dev/null | grep -A3 "string $3()" | sed -n 's/.*return "\([^"]*\)".*/\1/p' | head -n 1
}
row() { # release ref
    h=include/Nebula.h
    [ -n "$(fn "$2" $h shared_db_version)" ] || h=include/NebulaService.h
    code=$(fn "$2" $h code_version)
    [ "$code" = "$1" ] || return 0
    onedb=-
    if $G show "$2:src/onedb/onedb.rb" | grep -q 'Required version:'; then
        onedb=$($G show "$2:src/onedb/database_schema.rb" \
            | sed -n "s/^ *LATEST_DB_VERSION *= *['\"]\([^'\"]*\)['\"].*/\1/p" | head -n 1)
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(fn "$2" $h shared_db_version)" "$(fn "$2" $h local_db_version)" "$onedb"
}
echo "# OpenNebula releases and their database versions, read from OpenNebula/one by src/tools/opennebula-release-table.sh"
echo "# (git show <ref>:include/Nebula.h or include/NebulaService.h, shared_db_version() and friends; onedb's"
echo "# LATEST_DB_VERSION from src/onedb/database_schema.rb). Mirror HEAD: $($G rev-parse HEAD)"
printf '# release\tref\tshared_db_version\tlocal_db_version\tonedb_required_shared\n'
tags=$($G tag | sed -n 's/^release-\([0-9]*\.[0-9]*\.[0-9]*\(\.[0-9]*\)\{0,1\}\)$/\1/p' | awk -F. '$1 >= 5 && $3 < 80' | sort -V)
for v in $tags; do row "$v" "release-$v"; done
for s in $($G branch --format='%(refname:short)' | sed -n 's/^one-\([0-9]*\.[0-9]*\)$/\1/p' | awk -F. '$1 >= 5' | sort -V); do
    h=include/Nebula.h
    [ -n "$(fn "one-$s" $h shared_db_version)" ] || h=include/NebulaService.h
    v=$(fn "one-$s" $h code_version)
    printf '%s\n' $tags | grep -qx "$v" || row "$v" "one-$s"
done
