/* Key code tables (keymap.h). */
#include "host/keymap.h"

#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

typedef struct KeyName {
    const char *name;
    int code;
} KeyName;

/* QEMU's QKeyCode names (the ones sendkey accepts). */
static const KeyName names[] = {
    { "shift", KEY_LEFTSHIFT }, { "shift_r", KEY_RIGHTSHIFT }, { "alt", KEY_LEFTALT },
    { "alt_r", KEY_RIGHTALT }, { "altgr", KEY_RIGHTALT }, { "altgr_r", KEY_RIGHTALT },
    { "ctrl", KEY_LEFTCTRL }, { "ctrl_r", KEY_RIGHTCTRL }, { "menu", KEY_COMPOSE },
    { "esc", KEY_ESC }, { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 }, { "4", KEY_4 },
    { "5", KEY_5 }, { "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 }, { "9", KEY_9 },
    { "0", KEY_0 }, { "minus", KEY_MINUS }, { "equal", KEY_EQUAL },
    { "backspace", KEY_BACKSPACE }, { "tab", KEY_TAB }, { "q", KEY_Q }, { "w", KEY_W },
    { "e", KEY_E }, { "r", KEY_R }, { "t", KEY_T }, { "y", KEY_Y }, { "u", KEY_U },
    { "i", KEY_I }, { "o", KEY_O }, { "p", KEY_P }, { "bracket_left", KEY_LEFTBRACE },
    { "bracket_right", KEY_RIGHTBRACE }, { "ret", KEY_ENTER }, { "a", KEY_A }, { "s", KEY_S },
    { "d", KEY_D }, { "f", KEY_F }, { "g", KEY_G }, { "h", KEY_H }, { "j", KEY_J },
    { "k", KEY_K }, { "l", KEY_L }, { "semicolon", KEY_SEMICOLON },
    { "apostrophe", KEY_APOSTROPHE }, { "grave_accent", KEY_GRAVE },
    { "backslash", KEY_BACKSLASH }, { "z", KEY_Z }, { "x", KEY_X }, { "c", KEY_C },
    { "v", KEY_V }, { "b", KEY_B }, { "n", KEY_N }, { "m", KEY_M }, { "comma", KEY_COMMA },
    { "dot", KEY_DOT }, { "slash", KEY_SLASH }, { "asterisk", KEY_KPASTERISK },
    { "spc", KEY_SPACE }, { "caps_lock", KEY_CAPSLOCK }, { "f1", KEY_F1 }, { "f2", KEY_F2 },
    { "f3", KEY_F3 }, { "f4", KEY_F4 }, { "f5", KEY_F5 }, { "f6", KEY_F6 }, { "f7", KEY_F7 },
    { "f8", KEY_F8 }, { "f9", KEY_F9 }, { "f10", KEY_F10 }, { "f11", KEY_F11 },
    { "f12", KEY_F12 }, { "num_lock", KEY_NUMLOCK }, { "scroll_lock", KEY_SCROLLLOCK },
    { "kp_divide", KEY_KPSLASH }, { "kp_multiply", KEY_KPASTERISK },
    { "kp_subtract", KEY_KPMINUS }, { "kp_add", KEY_KPPLUS }, { "kp_enter", KEY_KPENTER },
    { "kp_decimal", KEY_KPDOT }, { "sysrq", KEY_SYSRQ }, { "print", KEY_SYSRQ },
    { "kp_0", KEY_KP0 }, { "kp_1", KEY_KP1 }, { "kp_2", KEY_KP2 }, { "kp_3", KEY_KP3 },
    { "kp_4", KEY_KP4 }, { "kp_5", KEY_KP5 }, { "kp_6", KEY_KP6 }, { "kp_7", KEY_KP7 },
    { "kp_8", KEY_KP8 }, { "kp_9", KEY_KP9 }, { "less", KEY_102ND }, { "home", KEY_HOME },
    { "pgup", KEY_PAGEUP }, { "pgdn", KEY_PAGEDOWN }, { "end", KEY_END }, { "left", KEY_LEFT },
    { "up", KEY_UP }, { "down", KEY_DOWN }, { "right", KEY_RIGHT }, { "insert", KEY_INSERT },
    { "delete", KEY_DELETE }, { "meta_l", KEY_LEFTMETA }, { "meta_r", KEY_RIGHTMETA },
    { "pause", KEY_PAUSE }, { "f13", KEY_F13 }, { "f14", KEY_F14 }, { "f15", KEY_F15 },
    { "f16", KEY_F16 }, { "f17", KEY_F17 }, { "f18", KEY_F18 }, { "f19", KEY_F19 },
    { "f20", KEY_F20 }, { "f21", KEY_F21 }, { "f22", KEY_F22 }, { "f23", KEY_F23 },
    { "f24", KEY_F24 }, { "compose", KEY_COMPOSE }, { "power", KEY_POWER },
    { "sleep", KEY_SLEEP }, { "wake", KEY_WAKEUP }, { "audionext", KEY_NEXTSONG },
    { "audioprev", KEY_PREVIOUSSONG }, { "audiostop", KEY_STOPCD },
    { "audioplay", KEY_PLAYPAUSE }, { "audiomute", KEY_MUTE }, { "volumeup", KEY_VOLUMEUP },
    { "volumedown", KEY_VOLUMEDOWN },
};

int keymap_from_name(const char *name)
{
    if (!name || !*name)
        return 0;
    if (name[0] == '0' && (name[1] == 'x' || name[1] == 'X') && name[2]) {
        char *end;
        unsigned long v = strtoul(name + 2, &end, 16);
        if (*end || v == 0 || v > KEY_MICMUTE)
            return 0;
        return (int)v;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(names[i].name, name))
            return names[i].code;
    return 0;
}

/* USB HID usage page 7 (= SDL_Scancode numbering). */
int keymap_from_hid_usage(int usage)
{
    static const unsigned short letters[26] = {
        KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
        KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
    };
    static const unsigned short from40[] = {
        /* 40 */ KEY_ENTER, KEY_ESC, KEY_BACKSPACE, KEY_TAB, KEY_SPACE, KEY_MINUS, KEY_EQUAL,
        /* 47 */ KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_BACKSLASH, KEY_BACKSLASH, KEY_SEMICOLON,
        /* 52 */ KEY_APOSTROPHE, KEY_GRAVE, KEY_COMMA, KEY_DOT, KEY_SLASH, KEY_CAPSLOCK,
        /* 58 */ KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7, KEY_F8, KEY_F9, KEY_F10,
        /* 68 */ KEY_F11, KEY_F12, KEY_SYSRQ, KEY_SCROLLLOCK, KEY_PAUSE, KEY_INSERT, KEY_HOME,
        /* 75 */ KEY_PAGEUP, KEY_DELETE, KEY_END, KEY_PAGEDOWN, KEY_RIGHT, KEY_LEFT, KEY_DOWN,
        /* 82 */ KEY_UP, KEY_NUMLOCK, KEY_KPSLASH, KEY_KPASTERISK, KEY_KPMINUS, KEY_KPPLUS,
        /* 88 */ KEY_KPENTER, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7,
        /* 96 */ KEY_KP8, KEY_KP9, KEY_KP0, KEY_KPDOT, KEY_102ND, KEY_COMPOSE, KEY_POWER,
        /* 103 */ KEY_KPEQUAL, KEY_F13, KEY_F14, KEY_F15, KEY_F16, KEY_F17, KEY_F18, KEY_F19,
        /* 111 */ KEY_F20, KEY_F21, KEY_F22, KEY_F23, KEY_F24,
    };
    static const unsigned short mods[8] = {
        KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_LEFTALT, KEY_LEFTMETA,
        KEY_RIGHTCTRL, KEY_RIGHTSHIFT, KEY_RIGHTALT, KEY_RIGHTMETA,
    };
    if (usage >= 4 && usage <= 29)
        return letters[usage - 4];
    if (usage >= 30 && usage <= 38)
        return KEY_1 + (usage - 30);
    if (usage == 39)
        return KEY_0;
    if (usage >= 40 && usage < 40 + (int)(sizeof(from40) / sizeof(from40[0])))
        return from40[usage - 40];
    if (usage == 127)
        return KEY_MUTE;
    if (usage == 128)
        return KEY_VOLUMEUP;
    if (usage == 129)
        return KEY_VOLUMEDOWN;
    if (usage >= 224 && usage <= 231)
        return mods[usage - 224];
    return 0;
}

/* Printable ASCII keysyms (0x20..0x7e) on a US layout. */
static int ascii_key(int c)
{
    static const char *const rows[] = {
        "1!", "2@", "3#", "4$", "5%", "6^", "7&", "8*", "9(", "0)", "-_", "=+", "[{", "]}",
        ";:", "'\"", "`~", "\\|", ",<", ".>", "/?",
    };
    static const unsigned short row_keys[] = {
        KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0, KEY_MINUS,
        KEY_EQUAL, KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_SEMICOLON, KEY_APOSTROPHE, KEY_GRAVE,
        KEY_BACKSLASH, KEY_COMMA, KEY_DOT, KEY_SLASH,
    };
    if (c >= 'a' && c <= 'z')
        return keymap_from_hid_usage(4 + (c - 'a'));
    if (c >= 'A' && c <= 'Z')
        return keymap_from_hid_usage(4 + (c - 'A'));
    if (c == ' ')
        return KEY_SPACE;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (rows[i][0] == c || rows[i][1] == c)
            return row_keys[i];
    return 0;
}

int keymap_from_keysym(uint32_t keysym)
{
    if (keysym >= 0x20 && keysym <= 0x7e)
        return ascii_key((int)keysym);
    if (keysym >= 0xffbe && keysym <= 0xffc9) /* F1..F12 */
        return keysym <= 0xffc7 ? KEY_F1 + (int)(keysym - 0xffbe)
                                : keysym == 0xffc8 ? KEY_F11 : KEY_F12;
    if (keysym >= 0xffb0 && keysym <= 0xffb9) { /* KP_0..KP_9 */
        static const unsigned short kp[10] = { KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
                                               KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9 };
        return kp[keysym - 0xffb0];
    }
    switch (keysym) {
    case 0xff08: return KEY_BACKSPACE;
    case 0xff09: return KEY_TAB;
    case 0xff0d: return KEY_ENTER;
    case 0xff13: return KEY_PAUSE;
    case 0xff14: return KEY_SCROLLLOCK;
    case 0xff15: return KEY_SYSRQ;
    case 0xff1b: return KEY_ESC;
    case 0xff50: return KEY_HOME;
    case 0xff51: return KEY_LEFT;
    case 0xff52: return KEY_UP;
    case 0xff53: return KEY_RIGHT;
    case 0xff54: return KEY_DOWN;
    case 0xff55: return KEY_PAGEUP;
    case 0xff56: return KEY_PAGEDOWN;
    case 0xff57: return KEY_END;
    case 0xff61: return KEY_SYSRQ;
    case 0xff63: return KEY_INSERT;
    case 0xff67: return KEY_COMPOSE;
    case 0xff7f: return KEY_NUMLOCK;
    case 0xff8d: return KEY_KPENTER;
    case 0xffaa: return KEY_KPASTERISK;
    case 0xffab: return KEY_KPPLUS;
    case 0xffad: return KEY_KPMINUS;
    case 0xffae: return KEY_KPDOT;
    case 0xffaf: return KEY_KPSLASH;
    case 0xffe1: return KEY_LEFTSHIFT;
    case 0xffe2: return KEY_RIGHTSHIFT;
    case 0xffe3: return KEY_LEFTCTRL;
    case 0xffe4: return KEY_RIGHTCTRL;
    case 0xffe5: return KEY_CAPSLOCK;
    case 0xffe7: return KEY_LEFTMETA;
    case 0xffe8: return KEY_RIGHTMETA;
    case 0xffe9: return KEY_LEFTALT;
    case 0xffea: return KEY_RIGHTALT;
    case 0xffeb: return KEY_LEFTMETA; /* Super_L */
    case 0xffec: return KEY_RIGHTMETA;
    case 0xfe03: return KEY_RIGHTALT; /* ISO_Level3_Shift (AltGr) */
    case 0xffff: return KEY_DELETE;
    default: return 0;
    }
}
