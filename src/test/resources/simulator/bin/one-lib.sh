# Helpers of the simulated OpenNebula CLI (onehost, onevm, onezone): reads come from the zone's state files,
# changes go through the zone's own XML-RPC endpoint (like the real CLI) so the same rules apply.
api_up() { [ -e "$ST/api_up" ]; }
require_api() { api_up || cli_refused; }

one_call() { # method, then XML-RPC <value> contents of the parameters after the session
    _m=$1; shift
    _port=$(sim_read "$ST/api_port" 2633)
    _auth=$(sim_read "$HOME/.one/one_auth" "")
    _resp=$( {
        printf '<?xml version="1.0"?><methodCall><methodName>%s</methodName><params>' "$_m"
        printf '<param><value><string>%s</string></value></param>' "$_auth"
        for _p in "$@"; do printf '<param><value>%s</value></param>' "$_p"; done
        printf '</params></methodCall>'
    } | curl -s -m 30 -H 'Content-Type: text/xml' --data-binary @- "http://127.0.0.1:$_port/RPC2") || cli_refused
    case $_resp in *"<boolean>1</boolean>"*) return 0 ;; esac
    _msg=$(printf '%s\n' "$_resp" | tr -d '\n' | sed -n 's:.*<string>\([^<]*\)</string>.*:\1:p' | head -n 1 \
        | sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g')
    printf '%s\n' "$_msg" >&2
    exit 255
}
