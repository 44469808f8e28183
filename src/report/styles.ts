/** Stylesheets of the HTML reports; the verdict colours are Autobahn's, so reports read alike. */

const VERDICT_COLOURS = `
.case_ok { background-color: #0a0; }
.case_almost { background-color: #6d6; }
.case_non_strict { background-color: #9a0; }
.case_info { background-color: #4095bf; }
.case_unimplemented { background-color: #800080; }
.case_failed { background-color: #900; }
.case_missing { background-color: #a05a2c; }
`;

const COMMON = `
body { background-color: #f4f4f4; color: #333; font-family: "Segoe UI", Tahoma, Arial, Verdana, sans-serif; }
.banner { text-align: center; margin: 4px; }
.banner_title { font-size: 1.6em; font-weight: bold; }
h2 { margin-left: 30px; }
h3 { margin-left: 50px; }
a { color: inherit; }
p.case_text_block { border-radius: 10px; border: 1px solid #aaa; padding: 16px; margin: 4px 20px; color: #444; }
${VERDICT_COLOURS}`;

export const CASE_CSS = `${COMMON}
p.case { color: #fff; border-radius: 10px; padding: 20px; margin: 12px 20px; font-size: 1.2em; }
span.case_pickle { font-family: Consolas, "Courier New", monospace; font-size: 0.8em; color: #000; word-break: break-all; }
pre.http_dump { font-family: Consolas, "Courier New", monospace; font-size: 0.8em; border-radius: 10px; border: 1px solid #aaa; padding: 16px; margin: 4px 20px; }
table { border-collapse: collapse; margin-left: 80px; margin-bottom: 12px; }
td { font-size: 0.8em; border: 1px solid #fff; padding: 6px 16px; text-align: right; }
td.left { text-align: left; }
tr.stats_header { color: #eee; background-color: #000; }
tr.stats_row { color: #000; background-color: #fc3; }
tr.stats_total { color: #fff; background-color: #888; }
div#wirelog { margin: 20px 0 80px; }
div#wirelog pre { margin: 0; padding: 2px; white-space: pre-wrap; }
.wirelog_rx_octets { color: #aaa; background-color: #060; }
.wirelog_tx_octets { color: #aaa; background-color: #600; }
.wirelog_tx_octets_sync { color: #aaa; background-color: #606; }
.wirelog_rx_frame { color: #fff; background-color: #0a0; }
.wirelog_tx_frame { color: #fff; background-color: #a00; }
.wirelog_tx_frame_sync { color: #fff; background-color: #a0a; }
.wirelog_delay, .wirelog_kill_after, .wirelog_tcp_closed_by_peer { color: #fff; background-color: #000; }
.wirelog_tcp_closed_by_me { color: #fff; background-color: #008; }
`;

export const INDEX_CSS = `${COMMON}
table#agent_case_results { border-collapse: collapse; margin: 0 20px 40px; }
td { border: 1px solid #fff; padding: 6px 16px; font-size: 0.9em; color: #fff; text-align: center; }
td.case { background-color: #666; text-align: left; padding-left: 40px; }
td.agent { background-color: #048; font-size: 0.8em; word-break: break-all; width: 140px; }
td.case_category { background-color: #000; text-align: left; padding-left: 20px; }
td.case_subcategory { background-color: #333; text-align: left; padding-left: 30px; }
a.up { margin-left: 30px; font-size: 0.8em; }
td.close { font-size: 0.7em; padding: 6px; }
span.case_duration { display: block; font-size: 0.7em; }
table#legend td.outcome_desc { color: #333; text-align: left; }
`;
