# flipstack container: `docker build -t flipstack .`
#   docker run --rm -v "$PWD:/work" flipstack run case.toml --out results/case
#   docker run --rm -v "$PWD:/work" --entrypoint mpiexec flipstack -n 4 flipstack run case.toml
# The install is the Makefile's own recipe (`make install`), so the image and a checkout agree.
FROM python:3.12-slim

# gcc + libc headers: dolfinx compiles its forms at run time (FFCx + cffi).
# GL/X client libraries: gmsh and VTK (off-screen pictures) link against them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends make gcc libc6-dev \
      libglu1-mesa libgl1 libegl1 libxrender1 libxcursor1 libxft2 libxinerama1 libxext6 libxi6 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/flipstack
COPY pyproject.toml README.md Makefile ./
COPY .ci/find-python .ci/find-python
COPY fem_package fem_package
COPY geometries geometries
COPY solvers solvers
COPY postprocess postprocess
RUN make install VENV=/opt/venv EDITABLE= EXTRAS= && rm -rf /root/.cache

RUN useradd --create-home --uid 1000 flipstack && mkdir /work && chown flipstack /work
USER flipstack
ENV PATH=/opt/venv/bin:$PATH MPLBACKEND=Agg
WORKDIR /work
ENTRYPOINT ["flipstack"]
CMD ["--help"]
