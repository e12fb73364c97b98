"""Offscreen OpenGL renderer for a :class:`RigFace` (moderngl, EGL, Mesa llvmpipe is enough).

One :class:`Renderer` holds one GL context and one shader program; it is reused
for every frame and every face (switching faces re-uploads the static buffers,
changing the image size re-creates the framebuffers).

Shading follows the synthetic-rom clips: per-vertex albedo, one directional light
(Lambert), a small Blinn-Phong specular term (stronger on the eyes), ambient light
and a plain background, rendered with multisampling.

Eyes: when ``face.info`` has ``"eye_dir"`` ((V, 3), the rest-pose unit direction of
every eyeball vertex from its eyeball centre in that eye's own frame, +z = the
eye's axis; zero for every other vertex) and ``"iris_colour"``, the eyeballs are
coloured per pixel from that direction (white sclera, iris within
``info["iris_deg"]`` (28°) of the axis, pupil within ``info["pupil_deg"]`` (11°)),
so gaze shapes move a crisp iris. Otherwise the vertex colours are used as they are.

Pose (degrees), as in the synthetic-rom labels: positive yaw turns the face to the
subject's left, positive pitch up, positive roll tilts the top of the head to the
subject's left; ``R = R_y(yaw) · R_x(-pitch) · R_z(-roll)`` about ``face.pivot``;
``forward_cm`` moves the head along its own forward (+z) direction (code 57 > 0,
58 < 0). The camera looks along -z with +y up, so the subject's left is on the
image's right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

try:  # run as a script from benchmarks/rigs or imported as rigs._render
    from ._mesh import RigFace
except ImportError:  # pragma: no cover
    from _mesh import RigFace  # type: ignore[no-redef]

_VERTEX = """
#version 330
uniform mat4 mvp;
uniform mat4 model;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_colour;
in vec3 in_eye;
out vec3 v_normal;
out vec3 v_colour;
out vec3 v_eye;
out vec3 v_world;
void main() {
    vec4 world = model * vec4(in_pos, 1.0);
    v_world = world.xyz;
    v_normal = mat3(model) * in_normal;
    v_colour = in_colour;
    v_eye = in_eye;
    gl_Position = mvp * vec4(in_pos, 1.0);
}
"""

_FRAGMENT = """
#version 330
uniform vec3 light_dir;      // towards the light, unit, world frame
uniform vec3 camera_pos;
uniform float ambient;
uniform float diffuse;
uniform float specular;
uniform float eye_specular;
uniform vec3 iris_colour;
uniform float iris_cos;
uniform float pupil_cos;
in vec3 v_normal;
in vec3 v_colour;
in vec3 v_eye;
in vec3 v_world;
out vec4 frag;
void main() {
    vec3 n = normalize(v_normal);
    if (!gl_FrontFacing) n = -n;
    vec3 albedo = v_colour;
    float spec_k = specular;
    float shine = 24.0;
    float el = length(v_eye);
    if (el > 0.5) {
        vec3 d = v_eye / el;
        float c = d.z;
        // sclera -> limbus ring -> iris -> pupil, with soft edges a pixel or so wide
        vec3 sclera = vec3(0.93, 0.91, 0.88);
        float w = 0.012;
        float in_iris = smoothstep(iris_cos - w, iris_cos + w, c);
        float in_pupil = smoothstep(pupil_cos - w, pupil_cos + w, c);
        float limbus = smoothstep(iris_cos - 3.0 * w, iris_cos, c) * (1.0 - in_iris);
        vec3 iris = iris_colour * (0.75 + 0.25 * smoothstep(pupil_cos, iris_cos, c));
        albedo = mix(sclera, iris, in_iris);
        albedo = mix(albedo, albedo * 0.45, limbus);
        albedo = mix(albedo, vec3(0.03, 0.025, 0.025), in_pupil);
        spec_k = eye_specular;
        shine = 80.0;
    }
    float lambert = max(dot(n, light_dir), 0.0);
    vec3 view = normalize(camera_pos - v_world);
    vec3 h = normalize(light_dir + view);
    float s = (lambert > 0.0) ? pow(max(dot(n, h), 0.0), shine) : 0.0;
    vec3 rgb = albedo * (ambient + diffuse * lambert) + vec3(spec_k * s);
    frag = vec4(clamp(rgb, 0.0, 1.0), 1.0);
}
"""


def _rx(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]], np.float64)


def _ry(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]], np.float64)


def _rz(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], np.float64)


def head_rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """``R_y(yaw) · R_x(-pitch) · R_z(-roll)`` (degrees), the synthetic-rom convention."""
    return _ry(yaw) @ _rx(-pitch) @ _rz(-roll)


def head_model(
    pivot: np.ndarray, yaw: float, pitch: float, roll: float, forward_cm: float = 0.0
) -> np.ndarray:
    """4×4 model matrix: rotation about ``pivot``, then ``forward_cm`` along the turned +z."""
    r = head_rotation(yaw, pitch, roll)
    p = np.asarray(pivot, np.float64)
    m = np.eye(4)
    m[:3, :3] = r
    m[:3, 3] = p - r @ p + forward_cm * r[:, 2]
    return m


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals (V, 3) float32, unit length (zero for loose vertices)."""
    v = np.asarray(vertices, np.float64)
    a, b, c = v[triangles[:, 0]], v[triangles[:, 1]], v[triangles[:, 2]]
    fn = np.cross(b - a, c - a)
    n = np.zeros_like(v)
    nv = len(v)
    for k in range(3):
        idx = triangles[:, k]
        for axis in range(3):
            n[:, axis] += np.bincount(idx, weights=fn[:, axis], minlength=nv)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return (n / np.maximum(length, 1e-12)).astype(np.float32)


@dataclass
class Camera:
    """Perspective camera at ``position`` looking along -z (+y up)."""

    position: tuple[float, float, float] = (0.0, 0.0, 60.0)
    fov_deg: float = 22.0  # vertical field of view
    near: float = 5.0
    far: float = 500.0

    def projection(self, aspect: float) -> np.ndarray:
        f = 1.0 / math.tan(math.radians(self.fov_deg) / 2)
        n, fa = self.near, self.far
        return np.array(
            [
                [f / aspect, 0, 0, 0],
                [0, f, 0, 0],
                [0, 0, (fa + n) / (n - fa), 2 * fa * n / (n - fa)],
                [0, 0, -1, 0],
            ],
            np.float64,
        )

    def view(self) -> np.ndarray:
        m = np.eye(4)
        m[:3, 3] = -np.asarray(self.position, np.float64)
        return m


@dataclass
class Lighting:
    """One directional light (``direction`` points from the face towards the light)."""

    direction: tuple[float, float, float] = (0.3, 0.4, 1.0)
    ambient: float = 0.3
    specular: float = 0.12
    eye_specular: float = 0.6
    background: tuple[float, float, float] = (0.35, 0.35, 0.4)
    extra: dict = field(default_factory=dict)


def make_context():
    """A standalone moderngl context (EGL first), or RuntimeError saying why not."""
    try:
        import moderngl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(f"moderngl is not installed ({exc}); pip install 'facs[bench]'") from exc
    errors = []
    for kwargs in ({"backend": "egl"}, {}):
        try:
            return moderngl.create_standalone_context(require=330, **kwargs)
        except Exception as exc:
            errors.append(f"{kwargs or 'default'}: {exc}")
    raise RuntimeError("cannot create an OpenGL 3.3 context: " + "; ".join(errors))


class Renderer:
    """Renders RigFace frames to uint8 RGB arrays; one context and program for all frames."""

    def __init__(self, width: int = 640, height: int = 480, samples: int = 4) -> None:
        self.ctx = make_context()
        self.samples = min(samples, self.ctx.max_samples) if samples > 1 else 0
        self.prog = self.ctx.program(vertex_shader=_VERTEX, fragment_shader=_FRAGMENT)
        self._size: tuple[int, int] | None = None
        self._face_id: int | None = None
        self._face: RigFace | None = None
        self.resize(width, height)

    # -- buffers -------------------------------------------------------------------
    def resize(self, width: int, height: int) -> None:
        if self._size == (width, height):
            return
        for name in ("fbo_ms", "fbo", "_rb_colour_ms", "_rb_depth_ms", "_rb_colour"):
            obj = getattr(self, name, None)
            if obj is not None:
                obj.release()
        ctx = self.ctx
        self._rb_colour_ms = ctx.renderbuffer((width, height), 3, samples=self.samples)
        self._rb_depth_ms = ctx.depth_renderbuffer((width, height), samples=self.samples)
        self.fbo_ms = ctx.framebuffer([self._rb_colour_ms], self._rb_depth_ms)
        self._rb_colour = ctx.renderbuffer((width, height), 3)
        self.fbo = ctx.framebuffer([self._rb_colour])
        self._size = (width, height)

    def _load(self, face: RigFace) -> None:
        if self._face_id == id(face) and self._face is face:
            return
        for name in ("vao", "vbo_pos", "vbo_nrm", "vbo_col", "vbo_eye", "ibo"):
            obj = getattr(self, name, None)
            if obj is not None:
                obj.release()
        ctx = self.ctx
        nv = len(face.vertices)
        eye = face.info.get("eye_dir")
        eye = np.zeros((nv, 3), np.float32) if eye is None else np.asarray(eye, np.float32)
        self.vbo_pos = ctx.buffer(reserve=nv * 12, dynamic=True)
        self.vbo_nrm = ctx.buffer(reserve=nv * 12, dynamic=True)
        self.vbo_col = ctx.buffer(np.ascontiguousarray(face.colours, np.float32).tobytes())
        self.vbo_eye = ctx.buffer(np.ascontiguousarray(eye).tobytes())
        self.ibo = ctx.buffer(np.ascontiguousarray(face.triangles, np.int32).tobytes())
        self.vao = ctx.vertex_array(
            self.prog,
            [
                (self.vbo_pos, "3f", "in_pos"),
                (self.vbo_nrm, "3f", "in_normal"),
                (self.vbo_col, "3f", "in_colour"),
                (self.vbo_eye, "3f", "in_eye"),
            ],
            index_buffer=self.ibo,
            index_element_size=4,
        )
        iris = face.info.get("iris_colour", (0.3, 0.35, 0.45))
        self.prog["iris_colour"].value = tuple(float(c) for c in iris)
        self.prog["iris_cos"].value = math.cos(math.radians(face.info.get("iris_deg", 28.0)))
        self.prog["pupil_cos"].value = math.cos(math.radians(face.info.get("pupil_deg", 11.0)))
        self._face_id, self._face = id(face), face

    # -- frames --------------------------------------------------------------------
    def render(
        self,
        face: RigFace,
        weights: dict[str, float] | None = None,
        *,
        vertices: np.ndarray | None = None,
        yaw: float = 0.0,
        pitch: float = 0.0,
        roll: float = 0.0,
        forward_cm: float = 0.0,
        camera: Camera | None = None,
        lighting: Lighting | None = None,
        size: tuple[int, int] | None = None,
    ) -> np.ndarray:
        """One frame, (H, W, 3) uint8 RGB; ``vertices`` overrides ``face.deformed(weights)``."""
        camera = camera or Camera()
        lighting = lighting or Lighting()
        if size is not None:
            self.resize(*size)
        width, height = self._size  # type: ignore[misc]
        self._load(face)
        v = face.deformed(weights or {}) if vertices is None else vertices
        v = np.ascontiguousarray(v, np.float32)
        self.vbo_pos.write(v.tobytes())
        self.vbo_nrm.write(vertex_normals(v, face.triangles).tobytes())
        model = head_model(face.pivot, yaw, pitch, roll, forward_cm)
        mvp = camera.projection(width / height) @ camera.view() @ model
        prog = self.prog
        # GL matrices are column-major: pass the transpose's bytes
        prog["mvp"].write(mvp.T.astype(np.float32).tobytes())
        prog["model"].write(model.T.astype(np.float32).tobytes())
        ld = np.asarray(lighting.direction, np.float64)
        prog["light_dir"].value = tuple(float(x) for x in ld / np.linalg.norm(ld))
        prog["camera_pos"].value = tuple(float(x) for x in camera.position)
        prog["ambient"].value = float(lighting.ambient)
        prog["diffuse"].value = float(1.0 - lighting.ambient)
        prog["specular"].value = float(lighting.specular)
        prog["eye_specular"].value = float(lighting.eye_specular)
        ctx = self.ctx
        self.fbo_ms.use()
        self.fbo_ms.clear(*lighting.background, 1.0)
        ctx.enable(ctx.DEPTH_TEST)
        ctx.disable(ctx.CULL_FACE)
        self.vao.render()
        ctx.copy_framebuffer(self.fbo, self.fbo_ms)
        data = self.fbo.read(components=3, alignment=1)
        img = np.frombuffer(data, np.uint8).reshape(height, width, 3)
        return img[::-1].copy()  # GL rows run bottom-up

    def release(self) -> None:
        self.ctx.release()


def face_height_distance(face_height_cm: float, fraction: float, fov_deg: float) -> float:
    """Camera distance at which an object ``face_height_cm`` tall spans ``fraction`` of the
    image height with vertical field of view ``fov_deg``."""
    return face_height_cm / (2 * fraction * math.tan(math.radians(fov_deg) / 2))
