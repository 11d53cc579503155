"""Every action, callback and block id the bot puts on a Slack surface, in one
place: ui builders set them, handlers listen for them."""

from __future__ import annotations

# Shared
INFO_CALLBACK = "coachbot_info"

# Pods
POD_FORM_CALLBACK = "pod_form"
POD_JOIN_ACTION = "pod_join"
TIMEZONE_PENDING_BLOCK = "timezone_pending"

# Check-in and the prep reminder
CHECKIN_OPEN_ACTION = "checkin_open"
CHECKIN_PICK_ACTION = "checkin_pick_session"
CHECKIN_SCENARIO_ACTION = "checkin_scenario"
CHECKIN_CALLBACK = "checkin_submit"
CHECKIN_PICK_CALLBACK = "checkin_pick"
WE_MET_ACTION = "session_we_met"

# Reflection
REFLECT_OPEN_ACTION = "reflect_open"
REFLECTION_CALLBACK = "reflection_submit"
SAVE_AS_INSIGHT_CALLBACK = "save_as_insight"

# Experiments
EXPERIMENT_TRIED_ACTION = "experiment_tried"
EXPERIMENT_NOT_YET_ACTION = "experiment_not_yet"
EXPERIMENT_DROP_ACTION = "experiment_drop"
EXPERIMENT_ADD_NOTE_ACTION = "experiment_add_note"
EXPERIMENT_NOTE_CALLBACK = "experiment_note"

# App Home
HOME_CHECKIN_ACTION = "home_checkin"
HOME_REFLECT_ACTION = "home_reflect"
HOME_KUDOS_ACTION = "home_kudos"

# Welcome and ground rules
GROUND_RULES_AGREE_ACTION = "ground_rules_agree"
GROUND_RULES_CONSENT_BLOCK = "ground_rules_consent"

# Prompts library and community tactics
TACTIC_CALLBACK = "tactic_submit"
TACTIC_APPROVE_ACTION = "tactic_approve"
TACTIC_DECLINE_ACTION = "tactic_decline"

# Pod playbooks
PLAYBOOK_OPEN_ACTION = "playbook_open"
PLAYBOOK_CALLBACK = "playbook_submit"
PLAYBOOK_REFUSED_CALLBACK = "playbook_refused"
PLAYBOOK_BLOCK = "playbook"

# Program admin
PROGRAM_SETTINGS_CALLBACK = "program_settings"

# Community loop: the weekly digest, withdrawing a waiting learning, kudos
DIGEST_PREVIEW_ACTION = "digest_preview"
DIGEST_POST_NOW_ACTION = "digest_post_now"
LEARNING_WITHDRAW_ACTION = "learning_withdraw"
WAITING_LEARNINGS_BLOCK = "waiting_learnings"
KUDOS_VALUE_ACTION = "kudos_value"

# Program admin: the settings modal's buttons, the rituals
ADMIN_ACTIONS_BLOCK = "admin_actions"
REVIEW_POST_ACTION = "review_post"
RITUALS_OPEN_ACTION = "rituals_open"
RITUALS_CALLBACK = "rituals"
SHOWCASE_SIGN_UP_ACTION = "showcase_sign_up"

# App Home: the view and its blocks; Kudos from the Home
HOME_CALLBACK = "home"
HOME_QUICK_BLOCK = "quick"
HOME_NEXT_TITLE_BLOCK = "next-title"
HOME_NEXT_SESSIONS_BLOCK = "next-sessions"
HOME_EXPERIMENTS_TITLE_BLOCK = "experiments-title"
HOME_INSIGHTS_TITLE_BLOCK = "insights-title"
HOME_INSIGHT_BLOCK = "insight"
HOME_PODS_BLOCK = "pods"
KUDOS_CALLBACK = "kudos_give"

# Experiments, reflection and check-in blocks
EXPERIMENT_TEXT_BLOCK = "experiment-text"
EXPERIMENTS_NOTICE_BLOCK = "notice"
EXPERIMENTS_EMPTY_BLOCK = "empty"
EXPERIMENT_NOTE_TEXT_BLOCK = "experiment"
REFLECTION_INTRO_BLOCK = "intro"
CHECKIN_INTRO_BLOCK = "intro"
CHECKIN_PICK_BLOCK = "pick"

# Calendar feeds: rotating the private link; the prep DM's "Add to calendar" (a URL button)
CALENDAR_ROTATE_ACTION = "calendar_rotate"
CALENDAR_ADD_SESSION_ACTION = "calendar_add_session"

# Session pulse in the end-of-session DM: usefulness 1–5 (one action id per score, so the
# buttons of one block stay unique), "how is this pod working for you?"
PULSE_SCORE_ACTIONS = tuple(f"pulse_score_{score}" for score in range(1, 6))
PULSE_POD_FINE_ACTION = "pulse_pod_fine"
PULSE_POD_DIFFERENT_ACTION = "pulse_pod_different"
PULSE_SCORE_BLOCK = "pulse_score"
PULSE_SCORE_BUTTONS_BLOCK = "pulse_score_buttons"
PULSE_POD_FIT_BLOCK = "pulse_pod_fit"
PULSE_POD_FIT_BUTTONS_BLOCK = "pulse_pod_fit_buttons"

# Weekly reflection reminder: set or change it (App Home), its modal, stop it (Home or the DM)
REFLECTION_REMINDER_SET_ACTION = "reflection_reminder_set"
REFLECTION_REMINDER_STOP_ACTION = "reflection_reminder_stop"
REFLECTION_REMINDER_CALLBACK = "reflection_reminder"
HOME_REFLECTION_REMINDER_BLOCK = "reflection-reminder"

# A person's own data: the "delete everything" confirmation modal and its tick box
MY_DATA_DELETE_CALLBACK = "my_data_delete"
MY_DATA_CONFIRM_BLOCK = "my_data_confirm"
MY_DATA_CONFIRM_ACTION = "my_data_confirm"

# Profiles (/coach profile), onboarding many at once, the skills map (/coach admin)
PROFILE_CALLBACK = "member_profile"
PROFILE_OPEN_ACTION = "profile_open"
PROGRAM_LISTS_OPEN_ACTION = "program_lists_open"
PROGRAM_LISTS_CALLBACK = "program_lists"
SKILLS_MAP_ACTION = "skills_map"
USERGROUP_IMPORT_OPEN_ACTION = "usergroup_import_open"
USERGROUP_IMPORT_CALLBACK = "usergroup_import"

# Matching (/coach admin → Propose pods, `coachbot match`): accept one proposed pod or all
# of a run, the reshuffle offer to admins, and a member's "keep my pod" opt-out
MATCH_PROPOSE_ACTION = "match_propose"
MATCH_ACCEPT_ACTION = "match_accept"
MATCH_ACCEPT_ALL_ACTION = "match_accept_all"
MATCH_PODS_BLOCK = "match_pods"
RESHUFFLE_ANNOUNCE_ACTION = "reshuffle_announce"
RESHUFFLE_OPT_OUT_ACTION = "reshuffle_opt_out"
MATCH_SETTINGS_OPEN_ACTION = "match_settings_open"
MATCH_SETTINGS_CALLBACK = "match_settings"
